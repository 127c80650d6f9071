// postern-sendmail argument parsing: the options scripts pass to sendmail(8).
#include <gtest/gtest.h>

#include "sendmail/options.hpp"

using namespace postern::sendmail;

namespace {

Options parse_ok(std::vector<std::string> args) {
  auto r = parse_options(args);
  EXPECT_TRUE(r.options) << r.error;
  return r.options.value_or(Options{});
}

std::string parse_err(std::vector<std::string> args) {
  auto r = parse_options(args);
  EXPECT_FALSE(r.options);
  return r.error;
}

TEST(Options, Defaults) {
  Options o = parse_ok({"alice"});
  EXPECT_FALSE(o.extract_recipients);
  EXPECT_FALSE(o.sender);
  EXPECT_FALSE(o.full_name);
  EXPECT_TRUE(o.dot_ends_input);
  EXPECT_EQ(o.recipients, std::vector<std::string>{"alice"});
}

TEST(Options, TypicalCronAndScriptLines) {
  Options o = parse_ok({"-t", "-oi", "-odi", "-oem", "-f", "backup@example.org", "-F", "Backup Job"});
  EXPECT_TRUE(o.extract_recipients);
  EXPECT_FALSE(o.dot_ends_input);
  EXPECT_EQ(o.sender.value(), "backup@example.org");
  EXPECT_EQ(o.full_name.value(), "Backup Job");
  EXPECT_TRUE(o.recipients.empty());

  o = parse_ok({"-i", "-FCron Daemon", "-B8BITMIME", "-fbob@example.org", "-odb", "-oee", "-v", "-N", "never",
                "root"});
  EXPECT_FALSE(o.dot_ends_input);
  EXPECT_EQ(o.full_name.value(), "Cron Daemon");
  EXPECT_EQ(o.sender.value(), "bob@example.org");
  EXPECT_EQ(o.recipients, std::vector<std::string>{"root"});
}

TEST(Options, RIsLikeFAndBracketsAndNullSender) {
  EXPECT_EQ(parse_ok({"-r", "<a@example.org>", "x"}).sender.value(), "a@example.org");
  EXPECT_EQ(parse_ok({"-f", "<>", "x"}).sender.value(), "");
  EXPECT_EQ(parse_ok({"-f", "", "x"}).sender.value(), "");
}

TEST(Options, RecipientsAreAddressListsAnywhereInArgv) {
  Options o = parse_ok({"a@example.org, Bob <b@example.org>", "-i", "c", "--", "-dash@example.org"});
  EXPECT_EQ(o.recipients, (std::vector<std::string>{"a@example.org", "b@example.org", "c", "-dash@example.org"}));
}

TEST(Options, ConfigFile) {
  EXPECT_EQ(parse_ok({"--config", "/tmp/p.toml", "a"}).config_path, "/tmp/p.toml");
  EXPECT_EQ(parse_ok({"--config=/tmp/q.toml", "a"}).config_path, "/tmp/q.toml");
  EXPECT_EQ(parse_ok({"-C/tmp/r.toml", "a"}).config_path, "/tmp/r.toml");
  EXPECT_NE(parse_err({"--config"}).find("--config"), std::string::npos);
}

TEST(Options, UnsupportedModesSayWhy) {
  EXPECT_NE(parse_err({"-bp"}).find("no outbound queue"), std::string::npos);
  EXPECT_NE(parse_err({"-bs"}).find("-bs"), std::string::npos);
  EXPECT_NE(parse_err({"-bi"}).find("not supported"), std::string::npos);
  EXPECT_NE(parse_err({"-q"}).find("not supported"), std::string::npos);
  EXPECT_TRUE(parse_options({"-bm", "a"}).options);
}

TEST(Options, Errors) {
  EXPECT_NE(parse_err({"-f"}).find("-f needs a value"), std::string::npos);
  EXPECT_NE(parse_err({"-Z"}).find("unknown option -Z"), std::string::npos);
  EXPECT_NE(parse_err({"--frobnicate"}).find("unknown option"), std::string::npos);
  EXPECT_NE(parse_err({"-tx"}).find("unknown option"), std::string::npos);
  EXPECT_NE(parse_err({"-o"}).find("-o needs"), std::string::npos);
}

TEST(Options, AddressesCannotInjectSmtp) {
  EXPECT_NE(parse_err({"-f", "a@b>\r\nRCPT TO:<x@y"}).find("bad sender"), std::string::npos);
  EXPECT_NE(parse_err({"a@b\r\nDATA"}).find("bad recipient"), std::string::npos);
  EXPECT_NE(parse_err({std::string(300, 'a') + "@b"}).find("bad recipient"), std::string::npos);
}

TEST(Options, RecipientCountIsBounded) {
  std::string many;
  for (size_t i = 0; i <= kMaxRecipients; ++i) many += "u" + std::to_string(i) + "@example.org,";
  EXPECT_NE(parse_err({many}).find("too many"), std::string::npos);
}

TEST(Options, Help) { EXPECT_TRUE(parse_ok({"--help"}).help); }

}  // namespace
