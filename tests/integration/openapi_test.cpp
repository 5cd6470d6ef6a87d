// docs/openapi.yaml must document exactly the routes the server has.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <set>
#include <unistd.h>

#include "tillit/services/installation.h"
#include "tillit/web/app.h"

TEST(OpenApi, EveryApiRouteIsDocumentedAndNothingElse) {
  const auto dir = std::filesystem::temp_directory_path() / ("tillit-openapi-" + std::to_string(::getpid()));
  tillit::services::InitOptions options;
  options.data_dir = dir;
  ASSERT_TRUE(tillit::services::Installation::init(options));
  auto config = tillit::services::load_config(dir, [](const char*) { return std::optional<std::string>(); });
  auto inst = tillit::services::Installation::open(*config);
  ASSERT_TRUE(inst);
  tillit::web::Router router;
  tillit::web::add_api_routes(router, **inst);

  std::set<std::string> served;
  for (const auto& [method, pattern] : router.routes()) {
    std::string lower = method;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    served.insert(lower + " " + pattern);
  }
  const YAML::Node doc = YAML::LoadFile(std::string(TILLIT_SOURCE_DIR) + "/docs/openapi.yaml");
  ASSERT_EQ(doc["openapi"].as<std::string>().rfind("3.", 0), 0u);
  std::set<std::string> documented;
  for (const auto& path : doc["paths"])
    for (const auto& op : path.second) {
      const auto method = op.first.as<std::string>();
      if (method == "parameters") continue;
      documented.insert(method + " " + path.first.as<std::string>());
      EXPECT_TRUE(op.second["responses"]) << method << " " << path.first.as<std::string>() << " has no responses";
    }
  EXPECT_EQ(served, documented);
  std::filesystem::remove_all(dir);
}
