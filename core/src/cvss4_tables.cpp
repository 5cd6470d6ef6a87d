// CVSS v4.0 data published by FIRST (specification section 8 and the reference calculator,
// github.com/FIRSTdotorg/cvss-v4-calculator: cvss_lookup.js and max_composed / max_severity):
// the score of each of the 270 macrovectors, the highest-severity vectors of each equivalence
// class, and each class's depth in 0.1 steps. Kept as data, apart from the scoring code.
#include "cvss4_tables.h"

#include <cmath>
#include <limits>

namespace tillit::cvss_detail {
namespace {

constexpr int kNo = -1;  // this (EQ3, EQ6) pair cannot occur: EQ3 = 2 implies EQ6 = 1

// One row per EQ1 EQ2 EQ3 EQ4 (the key's digits); the six columns are EQ5 EQ6 =
// 00 01 10 11 20 21. Scores in tenths.
struct MacrovectorRow {
  char key[5];
  int tenths[6];
};

constexpr MacrovectorRow kMacrovectorScores[] = {
    {"0000", {100, 99, 98, 95, 95, 92}},
    {"0001", {100, 96, 93, 87, 91, 81}},
    {"0002", {93, 90, 89, 80, 81, 68}},
    {"0010", {98, 95, 95, 92, 90, 84}},
    {"0011", {93, 92, 89, 81, 81, 65}},
    {"0012", {88, 80, 78, 70, 69, 48}},
    {"0020", {kNo, 92, kNo, 82, kNo, 72}},
    {"0021", {kNo, 79, kNo, 69, kNo, 50}},
    {"0022", {kNo, 69, kNo, 55, kNo, 27}},
    {"0100", {99, 97, 95, 92, 92, 85}},
    {"0101", {95, 91, 90, 83, 84, 71}},
    {"0102", {92, 81, 82, 71, 72, 53}},
    {"0110", {95, 93, 92, 85, 85, 73}},
    {"0111", {92, 82, 80, 72, 70, 59}},
    {"0112", {84, 70, 71, 52, 50, 30}},
    {"0120", {kNo, 86, kNo, 75, kNo, 52}},
    {"0121", {kNo, 71, kNo, 52, kNo, 29}},
    {"0122", {kNo, 63, kNo, 29, kNo, 17}},
    {"1000", {98, 95, 94, 87, 91, 81}},
    {"1001", {94, 89, 86, 74, 77, 64}},
    {"1002", {87, 75, 74, 63, 63, 49}},
    {"1010", {94, 89, 88, 77, 76, 67}},
    {"1011", {86, 76, 74, 58, 59, 50}},
    {"1012", {72, 57, 57, 52, 52, 25}},
    {"1020", {kNo, 83, kNo, 70, kNo, 54}},
    {"1021", {kNo, 65, kNo, 58, kNo, 26}},
    {"1022", {kNo, 53, kNo, 21, kNo, 13}},
    {"1100", {95, 90, 88, 76, 76, 70}},
    {"1101", {90, 77, 75, 62, 61, 53}},
    {"1102", {77, 66, 68, 59, 52, 30}},
    {"1110", {89, 78, 76, 67, 62, 58}},
    {"1111", {74, 59, 57, 57, 47, 23}},
    {"1112", {61, 52, 57, 29, 24, 16}},
    {"1120", {kNo, 71, kNo, 59, kNo, 30}},
    {"1121", {kNo, 58, kNo, 26, kNo, 15}},
    {"1122", {kNo, 23, kNo, 13, kNo, 6}},
    {"2000", {93, 87, 86, 72, 75, 58}},
    {"2001", {86, 74, 74, 61, 56, 34}},
    {"2002", {70, 54, 52, 40, 40, 22}},
    {"2010", {85, 75, 74, 55, 62, 51}},
    {"2011", {72, 57, 55, 41, 46, 19}},
    {"2012", {53, 36, 34, 19, 19, 8}},
    {"2020", {kNo, 64, kNo, 51, kNo, 20}},
    {"2021", {kNo, 47, kNo, 21, kNo, 11}},
    {"2022", {kNo, 24, kNo, 9, kNo, 4}},
    {"2100", {88, 75, 73, 53, 60, 50}},
    {"2101", {73, 55, 59, 40, 41, 20}},
    {"2102", {54, 43, 45, 22, 20, 11}},
    {"2110", {75, 55, 58, 45, 40, 21}},
    {"2111", {61, 51, 48, 18, 20, 9}},
    {"2112", {46, 18, 17, 7, 8, 2}},
    {"2120", {kNo, 53, kNo, 24, kNo, 14}},
    {"2121", {kNo, 24, kNo, 12, kNo, 5}},
    {"2122", {kNo, 10, kNo, 3, kNo, 1}},
};
static_assert(std::size(kMacrovectorScores) == 3 * 2 * 3 * 3);

// The rows must be in key order, because macrovector_score() indexes them arithmetically.
constexpr bool rows_in_key_order() {
  int index = 0;
  for (int eq1 = 0; eq1 < 3; ++eq1)
    for (int eq2 = 0; eq2 < 2; ++eq2)
      for (int eq3 = 0; eq3 < 3; ++eq3)
        for (int eq4 = 0; eq4 < 3; ++eq4) {
          const auto& key = kMacrovectorScores[index++].key;
          if (key[0] - '0' != eq1 || key[1] - '0' != eq2 || key[2] - '0' != eq3 || key[3] - '0' != eq4) return false;
        }
  return true;
}
static_assert(rows_in_key_order());

// 270 published macrovectors: 6 * (2 * 3 * 6 + 3 * 3) scores.
constexpr int published_count() {
  int count = 0;
  for (const auto& row : kMacrovectorScores)
    for (int t : row.tenths) count += t != kNo;
  return count;
}
static_assert(published_count() == 270);

}  // namespace

double macrovector_score(const Macrovector& mv) {
  constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
  if (mv.eq1 < 0 || mv.eq1 > 2 || mv.eq2 < 0 || mv.eq2 > 1 || mv.eq3 < 0 || mv.eq3 > 2 || mv.eq4 < 0 ||
      mv.eq4 > 2 || mv.eq5 < 0 || mv.eq5 > 2 || mv.eq6 < 0 || mv.eq6 > 1)
    return kMissing;
  // Rows are in key order: eq1 (3) x eq2 (2) x eq3 (3) x eq4 (3).
  const auto& row = kMacrovectorScores[((mv.eq1 * 2 + mv.eq2) * 3 + mv.eq3) * 3 + mv.eq4];
  const int tenths = row.tenths[mv.eq5 * 2 + mv.eq6];
  // tenths / 10.0 is the double nearest the published decimal, as the calculator's literal is.
  return tenths == kNo ? kMissing : tenths / 10.0;
}

// Highest-severity vectors per class (FIRST's max_composed), in the calculator's order.
const std::vector<Eq1Max>& eq1_maxima(int eq1) {
  static const std::vector<Eq1Max> kTable[] = {
      {{'N', 'N', 'N'}},
      {{'A', 'N', 'N'}, {'N', 'L', 'N'}, {'N', 'N', 'P'}},
      {{'P', 'N', 'N'}, {'A', 'L', 'P'}},
  };
  return kTable[eq1];
}

const std::vector<Eq2Max>& eq2_maxima(int eq2) {
  static const std::vector<Eq2Max> kTable[] = {
      {{'L', 'N'}},
      {{'H', 'N'}, {'L', 'P'}},
  };
  return kTable[eq2];
}

const std::vector<Eq3Eq6Max>& eq3eq6_maxima(int eq3, int eq6) {
  static const std::vector<Eq3Eq6Max> kTable[3][2] = {
      {{{'H', 'H', 'H', 'H', 'H', 'H'}},
       {{'H', 'H', 'L', 'M', 'M', 'H'}, {'H', 'H', 'H', 'M', 'M', 'M'}}},
      {{{'L', 'H', 'H', 'H', 'H', 'H'}, {'H', 'L', 'H', 'H', 'H', 'H'}},
       {{'L', 'H', 'L', 'H', 'M', 'H'},
        {'L', 'H', 'H', 'H', 'M', 'M'},
        {'H', 'L', 'H', 'M', 'H', 'M'},
        {'H', 'L', 'L', 'M', 'H', 'H'},
        {'L', 'L', 'H', 'H', 'H', 'M'}}},
      {{}, {{'L', 'L', 'L', 'H', 'H', 'H'}}},
  };
  return kTable[eq3][eq6];
}

const std::vector<Eq4Max>& eq4_maxima(int eq4) {
  static const std::vector<Eq4Max> kTable[] = {
      {{'H', 'S', 'S'}},
      {{'H', 'H', 'H'}},
      {{'L', 'L', 'L'}},
  };
  return kTable[eq4];
}

int eq1_depth(int eq1) {
  constexpr int kDepth[] = {1, 4, 5};
  return kDepth[eq1];
}
int eq2_depth(int eq2) {
  constexpr int kDepth[] = {1, 2};
  return kDepth[eq2];
}
int eq3eq6_depth(int eq3, int eq6) {
  constexpr int kDepth[3][2] = {{7, 6}, {8, 8}, {0, 10}};  // (2, 0) cannot occur
  return kDepth[eq3][eq6];
}
int eq4_depth(int eq4) {
  constexpr int kDepth[] = {6, 5, 4};
  return kDepth[eq4];
}

}  // namespace tillit::cvss_detail
