// Tests of the IMAP command parser and assembler (imap/parser.hpp): RFC 9051
// section 9 grammar, literals (RFC 7888), sequence sets, FETCH/STORE/SEARCH.
#include <gtest/gtest.h>

#include "imap/parser.hpp"

using namespace postern::imap;

namespace {

Command ok(std::string_view text) {
  auto r = parse_command(text);
  if (auto* e = std::get_if<ParseError>(&r)) {
    ADD_FAILURE() << "parse failed for [" << text << "]: " << e->message;
    return {};
  }
  return std::get<Command>(r);
}

ParseError bad(std::string_view text) {
  auto r = parse_command(text);
  EXPECT_TRUE(std::holds_alternative<ParseError>(r)) << "should not parse: [" << text << "]";
  if (auto* e = std::get_if<ParseError>(&r)) return *e;
  return {};
}

}  // namespace

TEST(ImapParser, SimpleCommands) {
  auto c = ok("a1 CAPABILITY");
  EXPECT_EQ(c.tag, "a1");
  EXPECT_EQ(c.spec->id, CommandId::capability);
  EXPECT_EQ(ok("x noop").spec->id, CommandId::noop);
  EXPECT_EQ(ok("A.B LogOut").spec->id, CommandId::logout);
}

TEST(ImapParser, TagAndCommandErrors) {
  EXPECT_EQ(bad("").tag, "");
  EXPECT_EQ(bad("+a NOOP").tag, "");
  EXPECT_EQ(bad("a{ NOOP").tag, "");
  auto e = bad("a1 FROB");
  EXPECT_EQ(e.tag, "a1");
  EXPECT_TRUE(e.unknown_command);
  EXPECT_EQ(bad("a1").message, "Missing command");
  EXPECT_EQ(bad("a1 NOOP ").tag, "a1");      // trailing space
  EXPECT_EQ(bad("a1 NOOP extra").tag, "a1");
  EXPECT_TRUE(bad("a1 UID LOGIN a b").unknown_command);
}

TEST(ImapParser, LoginAstrings) {
  auto c = ok("a LOGIN alice \"p a\\\"s\\\\s\"");
  auto& a = c.as<LoginArgs>();
  EXPECT_EQ(a.user, "alice");
  EXPECT_EQ(a.password, "p a\"s\\s");
  bad("a LOGIN alice \"bad\\escape\"");
  bad("a LOGIN alice \"unterminated");
  bad("a LOGIN alice");
  bad("a LOGIN alice  pw");
}

TEST(ImapParser, Literals) {
  auto c = ok("a LOGIN {5}\r\nalice {3+}\r\np w");
  auto& a = c.as<LoginArgs>();
  EXPECT_EQ(a.user, "alice");
  EXPECT_EQ(a.password, "p w");
  bad("a LOGIN {6}\r\nalice");       // short literal
  bad("a LOGIN {5}alice pw");        // no CRLF
  bad("a LOGIN {x}\r\nalice pw");
  auto e = ok("a LOGIN {0}\r\n {0}\r\n");
  EXPECT_EQ(e.as<LoginArgs>().user, "");
}

TEST(ImapParser, AuthenticateWithInitialResponse) {
  auto c = ok("a AUTHENTICATE plain AGFsaWNlAHB3");
  EXPECT_EQ(c.as<AuthenticateArgs>().mechanism, "PLAIN");
  EXPECT_EQ(*c.as<AuthenticateArgs>().initial, "AGFsaWNlAHB3");
  EXPECT_FALSE(ok("a AUTHENTICATE PLAIN").as<AuthenticateArgs>().initial);
  EXPECT_EQ(*ok("a AUTHENTICATE PLAIN =").as<AuthenticateArgs>().initial, "=");
  bad("a AUTHENTICATE PLAIN a b");
}

TEST(ImapParser, SequenceSets) {
  auto c = ok("a FETCH 1,3:5,7:*,* FLAGS");
  auto& s = c.as<FetchArgs>().set;
  ASSERT_EQ(s.ranges.size(), 4u);
  EXPECT_EQ(s.ranges[0], (SeqRange{1, 1}));
  EXPECT_EQ(s.ranges[1], (SeqRange{3, 5}));
  EXPECT_EQ(s.ranges[2], (SeqRange{7, kStar}));
  EXPECT_EQ(s.ranges[3], (SeqRange{kStar, kStar}));
  EXPECT_TRUE(s.contains(4, 10));
  EXPECT_FALSE(s.contains(6, 10));
  EXPECT_TRUE(s.contains(10, 10));
  EXPECT_EQ(s.to_string(), "1,3:5,7:*,*");
  bad("a FETCH 0 FLAGS");
  bad("a FETCH 1: FLAGS");
  bad("a FETCH 1,,2 FLAGS");
  bad("a FETCH 4294967296 FLAGS");
  EXPECT_TRUE(ok("a FETCH 5:2 FLAGS").as<FetchArgs>().set.contains(3, 9));
}

TEST(ImapParser, CompactSet) {
  EXPECT_EQ(compact_set({1, 2, 3, 7, 9, 10}), "1:3,7,9:10");
  EXPECT_EQ(compact_set({}), "");
}

TEST(ImapParser, FetchItemsAndMacros) {
  using K = FetchItem::Kind;
  auto c = ok("a UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[] BODY[HEADER] BODY[TEXT])");
  EXPECT_TRUE(c.uid);
  auto& items = c.as<FetchArgs>().items;
  ASSERT_EQ(items.size(), 7u);
  EXPECT_EQ(items[0].kind, K::uid);
  EXPECT_EQ(items[4].kind, K::body_section);
  EXPECT_TRUE(items[4].peek);
  EXPECT_EQ(items[5].section.kind, SectionKind::header);
  EXPECT_FALSE(items[5].peek);
  EXPECT_EQ(items[6].section.kind, SectionKind::text);

  EXPECT_EQ(ok("a FETCH 1 FAST").as<FetchArgs>().items.size(), 3u);
  EXPECT_EQ(ok("a FETCH 1 all").as<FetchArgs>().items.size(), 4u);
  EXPECT_EQ(ok("a FETCH 1 FULL").as<FetchArgs>().items.back().kind, K::body);
  EXPECT_EQ(ok("a FETCH 1 body[]").as<FetchArgs>().items[0].kind, K::body_section);
  EXPECT_EQ(ok("a FETCH 1 BODYSTRUCTURE").as<FetchArgs>().items[0].kind, K::bodystructure);
  bad("a FETCH 1 (FLAGS");
  bad("a FETCH 1 ()");
  bad("a FETCH 1 BOGUS");
  bad("a FETCH 1 BODY[NOPE]");
  bad("a FETCH 1 (FLAGS  UID)");
}

TEST(ImapParser, FetchSectionsAndPartials) {
  auto c = ok("a FETCH 2 (BODY[1.2.MIME] BODY.PEEK[HEADER.FIELDS (From \"Subject\")]<0.100> BODY[3]<5.7>)");
  auto& items = c.as<FetchArgs>().items;
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].section.part, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(items[0].section.kind, SectionKind::mime);
  EXPECT_EQ(items[1].section.kind, SectionKind::header_fields);
  EXPECT_EQ(items[1].section.fields, (std::vector<std::string>{"From", "Subject"}));
  EXPECT_EQ(*items[1].partial, (Partial{0, 100}));
  EXPECT_EQ(items[2].section.part, (std::vector<uint32_t>{3}));
  EXPECT_EQ(items[2].section.kind, SectionKind::full);
  EXPECT_EQ(*items[2].partial, (Partial{5, 7}));
  EXPECT_EQ(ok("a FETCH 1 BODY[HEADER.FIELDS.NOT (X)]").as<FetchArgs>().items[0].section.kind,
            SectionKind::header_fields_not);
  bad("a FETCH 1 BODY[MIME]");  // MIME needs a part
  bad("a FETCH 1 BODY[]<1.0>");
  bad("a FETCH 1 BODY[]<1>");
  bad("a FETCH 1 BODY[HEADER.FIELDS ()]");
  EXPECT_EQ(*ok("a FETCH 1 (FLAGS) (CHANGEDSINCE 12)").as<FetchArgs>().changedsince, 12u);
}

TEST(ImapParser, Store) {
  auto c = ok("a STORE 1:3 +FLAGS.SILENT (\\Deleted \\seen $Junk)");
  auto& s = c.as<StoreArgs>();
  EXPECT_EQ(s.op, StoreArgs::Op::add);
  EXPECT_TRUE(s.silent);
  EXPECT_EQ(s.flags.system, 1u | 8u);
  EXPECT_EQ(s.flags.keywords, (std::vector<std::string>{"$Junk"}));
  auto d = ok("a UID STORE 5 -FLAGS \\Flagged");
  EXPECT_EQ(d.as<StoreArgs>().op, StoreArgs::Op::remove);
  EXPECT_EQ(d.as<StoreArgs>().flags.system, 4u);
  EXPECT_EQ(ok("a STORE 1 FLAGS ()").as<StoreArgs>().flags.system, 0u);
  EXPECT_EQ(*ok("a STORE 1 (UNCHANGEDSINCE 5) FLAGS ()").as<StoreArgs>().unchangedsince, 5u);
  bad("a STORE 1 FLAGS (\\Recent)");
  bad("a STORE 1 FLAGS (\\Bogus)");
  bad("a STORE 1 *FLAGS (\\Seen)");
  bad("a STORE 1 FLAGS");
}

TEST(ImapParser, SelectListStatus) {
  EXPECT_EQ(ok("a SELECT inbox").as<MailboxArgs>().mailbox, "inbox");
  EXPECT_TRUE(ok("a SELECT INBOX (CONDSTORE)").as<MailboxArgs>().condstore);
  bad("a SELECT INBOX (QRESYNC)");
  auto l = ok("a LIST \"\" *");
  EXPECT_EQ(l.as<ListArgs>().reference, "");
  EXPECT_EQ(l.as<ListArgs>().patterns, (std::vector<std::string>{"*"}));
  auto x = ok("a LIST (SUBSCRIBED) \"\" (INBOX% \"Sent\") RETURN (CHILDREN STATUS (MESSAGES UNSEEN))");
  auto& la = x.as<ListArgs>();
  EXPECT_TRUE(la.subscribed_only);
  EXPECT_TRUE(la.return_children);
  EXPECT_EQ(la.patterns.size(), 2u);
  EXPECT_EQ(la.return_status, (std::vector<std::string>{"MESSAGES", "UNSEEN"}));
  EXPECT_TRUE(ok("a LSUB \"\" %").as<ListArgs>().subscribed_only);
  auto s = ok("a STATUS Sent (MESSAGES UIDNEXT unseen)");
  EXPECT_EQ(s.as<StatusArgs>().items, (std::vector<std::string>{"MESSAGES", "UIDNEXT", "UNSEEN"}));
  bad("a STATUS Sent (BOGUS)");
  bad("a STATUS Sent ()");
  EXPECT_EQ(ok("a RENAME a \"b c\"").as<RenameArgs>().to, "b c");
}

TEST(ImapParser, Append) {
  auto c = ok("a APPEND Drafts (\\Draft \\Seen) \" 7-Feb-2024 10:00:00 +0100\" {5}\r\nhello");
  auto& a = c.as<AppendArgs>();
  EXPECT_EQ(a.mailbox, "Drafts");
  EXPECT_EQ(a.flags.system, 16u | 1u);
  EXPECT_EQ(*a.date, 1707296400);  // 2024-02-07 09:00:00 UTC
  EXPECT_EQ(a.message, "hello");
  EXPECT_EQ(ok("a APPEND INBOX {2+}\r\nhi").as<AppendArgs>().message, "hi");
  bad("a APPEND INBOX \"not a literal\"");
  bad("a APPEND INBOX \"32-Feb-2024 10:00:00 +0100\" {1}\r\nx");
}

TEST(ImapParser, Search) {
  using K = SearchKey::Kind;
  auto c = ok("a UID SEARCH CHARSET UTF-8 1:5 UNSEEN OR FROM bob (SUBJECT \"hi there\" SINCE 1-Feb-2024) NOT DELETED");
  auto& s = c.as<SearchArgs>();
  EXPECT_EQ(*s.charset, "UTF-8");
  ASSERT_EQ(s.key.children.size(), 4u);
  EXPECT_EQ(s.key.children[0].kind, K::seqset);
  EXPECT_EQ(s.key.children[1].kind, K::unseen);
  EXPECT_EQ(s.key.children[2].kind, K::or_);
  EXPECT_EQ(s.key.children[2].children[0].value, "bob");
  EXPECT_EQ(s.key.children[2].children[1].kind, K::and_);
  EXPECT_EQ(s.key.children[2].children[1].children[1].date, 1706745600);
  EXPECT_EQ(s.key.children[3].kind, K::not_);
  auto r = ok("a SEARCH RETURN (MIN COUNT) HEADER X-Spam yes");
  EXPECT_TRUE(r.as<SearchArgs>().esearch);
  EXPECT_EQ(r.as<SearchArgs>().key.children[0].field, "X-Spam");
  bad("a SEARCH");
  bad("a SEARCH FROBNICATE");
  bad("a SEARCH SINCE 1-Foo-2024");
  std::string deep = "a SEARCH ";
  for (int i = 0; i < 100; ++i) deep += "NOT ";
  deep += "ALL";
  bad(deep);  // bounded recursion
}

TEST(ImapParser, IdEnable) {
  auto c = ok("a ID (\"name\" \"Thunderbird\" \"version\" NIL)");
  ASSERT_EQ(c.as<IdArgs>().params.size(), 2u);
  EXPECT_FALSE(c.as<IdArgs>().params[1].second);
  EXPECT_TRUE(ok("a ID NIL").as<IdArgs>().params.empty());
  EXPECT_EQ(ok("a ENABLE CONDSTORE utf8=accept").as<EnableArgs>().capabilities,
            (std::vector<std::string>{"CONDSTORE", "UTF8=ACCEPT"}));
  bad("a ENABLE");
}

TEST(ImapParser, UidExpungeCopyMove) {
  EXPECT_TRUE(ok("a UID EXPUNGE 1:3").as<ExpungeArgs>().uids);
  EXPECT_FALSE(ok("a EXPUNGE").as<ExpungeArgs>().uids);
  bad("a UID EXPUNGE");
  EXPECT_EQ(ok("a UID MOVE 1 Trash").as<CopyArgs>().mailbox, "Trash");
  EXPECT_EQ(ok("a COPY 1:2 \"Sent\"").as<CopyArgs>().mailbox, "Sent");
}

TEST(ImapParser, PeekTagAndName) {
  auto t = peek_tag_and_name("a7 uid fetch 1:* {99999999}");
  EXPECT_EQ(t.tag, "a7");
  EXPECT_EQ(t.name, "UID FETCH");
  EXPECT_EQ(peek_tag_and_name("APPEND").tag, "APPEND");
  EXPECT_EQ(peek_tag_and_name("+x y").tag, "");
}

TEST(ImapParser, Dates) {
  EXPECT_EQ(*parse_date("1-Jan-1970"), 0);
  EXPECT_EQ(*parse_date("29-feb-2024"), 1709164800);
  EXPECT_FALSE(parse_date("1-Jan-70"));
  EXPECT_FALSE(parse_date("Jan-1-1970"));
  EXPECT_EQ(*parse_date_time("01-Jan-1970 00:00:00 +0000"), 0);
  EXPECT_EQ(*parse_date_time("31-Dec-1969 19:00:00 -0500"), 0);
  EXPECT_FALSE(parse_date_time("1-Jan-1970 00:00:00 +0000"));
  EXPECT_FALSE(parse_date_time("01-Jan-1970 24:00:00 +0000"));
}

TEST(CommandAssembler, LinesAndLiterals) {
  CommandAssembler a(100, 1000);
  auto s = a.add_line("a LOGIN {5}");
  EXPECT_EQ(s.kind, CommandAssembler::Step::Kind::need_literal);
  EXPECT_EQ(s.literal_size, 5u);
  EXPECT_TRUE(s.synchronizing);
  a.add_literal("alice");
  s = a.add_line(" {2+}");
  EXPECT_EQ(s.kind, CommandAssembler::Step::Kind::need_literal);
  EXPECT_FALSE(s.synchronizing);
  a.add_literal("pw");
  s = a.add_line("");
  EXPECT_EQ(s.kind, CommandAssembler::Step::Kind::complete);
  EXPECT_EQ(a.text(), "a LOGIN {5}\r\nalice {2+}\r\npw");
  EXPECT_EQ(a.first_line(), "a LOGIN {5}");
  auto c = std::get<Command>(parse_command(a.text()));
  EXPECT_EQ(c.as<LoginArgs>().password, "pw");
  a.reset();
  EXPECT_EQ(a.text(), "");
}

TEST(CommandAssembler, Limits) {
  CommandAssembler a(10, 50, 2);
  auto s = a.add_line("a APPEND INBOX {11}");
  EXPECT_EQ(s.kind, CommandAssembler::Step::Kind::literal_too_big);
  EXPECT_EQ(s.literal_size, 11u);
  a.reset();
  EXPECT_EQ(a.add_line(std::string(60, 'x')).kind, CommandAssembler::Step::Kind::too_long);
  a.reset();
  EXPECT_EQ(a.add_line("a X {1}").kind, CommandAssembler::Step::Kind::need_literal);
  a.add_literal("1");
  EXPECT_EQ(a.add_line(" {1}").kind, CommandAssembler::Step::Kind::need_literal);
  a.add_literal("1");
  EXPECT_EQ(a.add_line(" {1}").kind, CommandAssembler::Step::Kind::literal_too_big);  // third literal
  EXPECT_FALSE(trailing_literal("a {99999999999999999999}"));
  EXPECT_FALSE(trailing_literal("a {}"));
  EXPECT_FALSE(trailing_literal("a {-1}"));
  EXPECT_EQ(trailing_literal("{7+}")->size, 7u);
}

TEST(CommandTable, States) {
  EXPECT_EQ(find_command("login")->states, static_cast<unsigned>(kNotAuth));
  EXPECT_TRUE(find_command("LOGIN")->flags & kPlaintextAuth);
  EXPECT_TRUE(find_command("FETCH")->flags & kUsesSeqNumbers);
  EXPECT_TRUE(find_command("select")->states & kSelected);
  EXPECT_FALSE(find_command("CLOSE")->states & kAuth);
  EXPECT_EQ(find_command("XYZZY"), nullptr);
}

// Every proper prefix of a valid command is rejected cleanly (no crash, no
// over-read): the parser is checked at each byte boundary.
TEST(ImapParser, EveryPrefixIsRejected) {
  const std::string cmds[] = {
      "a1 LOGIN {5}\r\nalice \"se\\\"cret\"",
      "a2 UID FETCH 1:*,7 (UID FLAGS BODY.PEEK[HEADER.FIELDS (From)]<0.10> BODY[1.2.MIME])",
      "a3 STORE 1 +FLAGS.SILENT (\\Seen $Junk)",
      "a4 SEARCH OR (FROM bob SINCE 1-Feb-2024) NOT UID 1:3",
      "a5 APPEND INBOX (\\Draft) \" 9-Feb-2024 08:30:00 +0100\" {3}\r\nabc",
      "a6 LIST (SUBSCRIBED) \"\" (INBOX %) RETURN (CHILDREN)",
  };
  for (const auto& full : cmds) {
    ASSERT_TRUE(std::holds_alternative<Command>(parse_command(full))) << full;
    for (size_t n = 0; n < full.size(); ++n) {
      std::string prefix = full.substr(0, n);  // own buffer: ASan catches over-reads
      auto r = parse_command(prefix);
      // Some prefixes are themselves complete commands ("a4 SEARCH OR (...) NOT UID 1").
      if (auto* c = std::get_if<Command>(&r)) {
        EXPECT_EQ(c->tag, full.substr(0, 2));
      }
    }
  }
}

TEST(ImapParser, QresyncParameters) {
  auto c = ok("a SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))");
  const auto& q = *c.as<MailboxArgs>().qresync;
  EXPECT_EQ(q.uidvalidity, 67890007u);
  EXPECT_EQ(q.modseq, 20050715194045000u);
  EXPECT_EQ(q.known_uids->to_string(), "41,43:211,214:541");
  // RFC 7162 section 3.2.5.2 example with seq-match-data
  auto d = ok("a SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 "
              "15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))");
  EXPECT_TRUE(d.as<MailboxArgs>().qresync->known_uids);
  EXPECT_FALSE(ok("a EXAMINE x (QRESYNC (1 2))").as<MailboxArgs>().qresync->known_uids);
  bad("a SELECT INBOX (QRESYNC (0 2))");
  bad("a SELECT INBOX (QRESYNC (1))");
  auto f = ok("a UID FETCH 1:* FLAGS (CHANGEDSINCE 12 VANISHED)");
  EXPECT_TRUE(f.as<FetchArgs>().vanished);
  bad("a UID FETCH 1:* FLAGS (VANISHED)");
}
