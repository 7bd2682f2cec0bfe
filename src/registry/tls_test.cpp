#include <doctest/doctest.h>

#include "registry/test_server.h"

#include "base/fs.h"
#include "base/temp_dir.h"
#include "registry/tls.h"

using namespace berth;
using namespace berth::registry;
using berth::registry::test::error_text;

TEST_CASE("certs.d candidates")
{
    CHECK(cert_dir_candidates("h:5000", "/my/certs") == std::vector<std::string> { "/my/certs" });
    auto dirs = cert_dir_candidates("h:5000", "");
    REQUIRE(dirs.size() >= 2);
    CHECK(dirs[dirs.size() - 2] == "/etc/containers/certs.d/h:5000");
    CHECK(dirs.back() == "/etc/docker/certs.d/h:5000");
}

TEST_CASE("certs.d: extra CAs are appended to the system bundle, client cert pairs found")
{
    auto dir = TempDir::create("/tmp", "berth-tls-test-").release_value();
    auto empty = load_tls_settings("h", dir.path());
    REQUIRE(empty.has_value());
    CHECK(empty->ca_blob.empty());
    CHECK(empty->cert_file.empty());

    REQUIRE(fs::write_file_atomic(fs::join(dir.path(), "ca.crt"), "-----FAKE CA-----").has_value());
    REQUIRE(fs::write_file_atomic(fs::join(dir.path(), "client.cert"), "cert").has_value());
    REQUIRE(fs::write_file_atomic(fs::join(dir.path(), "client.key"), "key").has_value());
    auto tls = load_tls_settings("h", dir.path());
    REQUIRE_MESSAGE(tls.has_value(), error_text(tls));
    CHECK(tls->verify);
    CHECK(tls->ca_blob.ends_with("-----FAKE CA-----\n"));
    CHECK(tls->cert_file == fs::join(dir.path(), "client.cert"));
    CHECK(tls->key_file == fs::join(dir.path(), "client.key"));

    REQUIRE(fs::write_file_atomic(fs::join(dir.path(), "other.cert"), "cert").has_value());
    auto missing = load_tls_settings("h", dir.path());
    REQUIRE(!missing.has_value());
    CHECK(missing.error().message.find("other.key") != std::string::npos);
}
