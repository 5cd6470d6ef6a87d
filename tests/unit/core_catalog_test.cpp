#include <gtest/gtest.h>

#include <cmath>

#include "tillit/core/catalog.h"

using namespace tillit;

namespace {
Catalog small_catalog() {
  Catalog c;
  c.id = "demo";
  c.name = {"Demo", "Demo"};
  c.requirements = {{"R1", {}, {"Första", "First"}, {}, {}, {}}, {"R2", {}, {"", "Second"}, {}, {}, {}}};
  return c;
}
}  // namespace

TEST(Catalog, ValidCatalogPasses) { EXPECT_TRUE(validate_catalog(small_catalog())); }

TEST(Catalog, RejectsDuplicateAndBadIds) {
  auto c = small_catalog();
  c.requirements[1].id = "R1";
  auto s = validate_catalog(c);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("appears twice"), std::string::npos);

  c = small_catalog();
  c.id = "Bad Id";
  EXPECT_FALSE(validate_catalog(c));
  c = small_catalog();
  c.requirements[0].id = "R1;DROP";
  EXPECT_FALSE(validate_catalog(c));
}

TEST(Catalog, RejectsOverlappingRemediationBands) {
  auto c = small_catalog();
  c.cvss_remediation = {{"medium", 4.0, 6.9, 30, {}}, {"high", 6.5, 8.9, 7, {}}};
  auto s = validate_catalog(c);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("overlap"), std::string::npos);
}

TEST(Catalog, LocalizedTextFallsBackToTheOtherLanguage) {
  LocalizedText only_sv{"Hej", ""};
  EXPECT_EQ(only_sv.in("en"), "Hej");
  LocalizedText both{"Hej", "Hello"};
  EXPECT_EQ(both.in("en"), "Hello");
  EXPECT_EQ(both.in("sv"), "Hej");
}

TEST(Catalog, MappingsMustPointAtExistingRequirements) {
  auto target = small_catalog();
  auto source = small_catalog();
  source.id = "source";
  source.requirements[0].maps_to = {{"demo", {"R2"}}};
  EXPECT_TRUE(check_mappings(source, {&target, &source}));
  source.requirements[0].maps_to = {{"demo", {"R9"}}};
  EXPECT_FALSE(check_mappings(source, {&target, &source}));
  source.requirements[0].maps_to = {{"missing", {"R1"}}};
  EXPECT_FALSE(check_mappings(source, {&target, &source}));
}

TEST(Catalog, ResolvesBareIdsInThePreferredCatalogFirst) {
  auto annex = small_catalog();
  annex.id = "annex";
  auto other = small_catalog();
  const std::vector<const Catalog*> both{&other, &annex};
  auto r = resolve_requirement(both, "R1");
  ASSERT_TRUE(r);
  EXPECT_EQ(both[r->catalog_index]->id, "annex");
  auto qualified = resolve_requirement(both, "demo:R2");
  ASSERT_TRUE(qualified);
  EXPECT_EQ(both[qualified->catalog_index]->id, "demo");
  EXPECT_EQ(qualified->requirement->id, "R2");
  auto missing = resolve_requirement(both, "demo:R7");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

TEST(Catalog, RejectsNotANumberBands) {
  auto c = small_catalog();
  c.cvss_remediation = {{"low", std::nan(""), std::nan(""), std::nullopt, {}}, {"high", 7.0, 8.9, 7, {}}};
  EXPECT_FALSE(validate_catalog(c));
}

TEST(Catalog, FindsTheRequirementsThatMapOntoOne) {
  auto target = small_catalog();
  auto source = small_catalog();
  source.id = "source";
  source.requirements[0].maps_to = {{"demo", {"R1", "R2"}}};
  source.requirements[1].maps_to = {{"demo", {"R2"}}, {"other", {"R1"}}};
  const std::vector<const Catalog*> all{&target, &source};
  const auto onto_r2 = requirements_mapping_to(all, "demo", "R2");
  ASSERT_EQ(onto_r2.size(), 2u);
  EXPECT_EQ(onto_r2[0].catalog_index, 1u);
  EXPECT_EQ(onto_r2[0].requirement->id, "R1");
  EXPECT_EQ(onto_r2[1].requirement->id, "R2");
  EXPECT_EQ(requirements_mapping_to(all, "demo", "R1").size(), 1u);
  EXPECT_TRUE(requirements_mapping_to(all, "source", "R1").empty());
}
