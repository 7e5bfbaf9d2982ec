// cookieseal tests - reading docs/FORMAT.md §Test vectors: keys, vectors, the negative table
#include "format_vectors.hpp"

#include "bytes.hpp"

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

namespace test_support {

namespace {

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

/// The first capture of `pattern` in `text`, or nullopt.
std::optional<std::string> find(const std::string& text, const char* pattern, int group = 1) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(pattern))) return std::nullopt;
  return m[group].str();
}

/// The cells of a markdown table row "| a | b |".
std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out;
  std::string cell;
  for (std::size_t i = 1; i < row.size(); ++i) {
    if (row[i] == '|') {
      out.push_back(trim(cell));
      cell.clear();
    } else {
      cell += row[i];
    }
  }
  return out;
}

struct Reader {
  std::vector<std::string> lines;
  std::map<std::string, std::string> keys;  // "A" -> text
  FormatVectors out;

  void problem(const std::string& what) { out.problems.push_back(what); }

  const SealedVector* vector(int number) const {
    for (const auto& v : out.sealed)
      if (v.number == number) return &v;
    return nullptr;
  }

  /// The first line of the code block that starts at or after line i.
  std::optional<std::string> code_after(std::size_t& i) const {
    while (i < lines.size() && lines[i].rfind("```", 0) != 0) ++i;
    if (i + 1 >= lines.size()) return std::nullopt;
    return lines[++i];
  }

  void read_keys(std::size_t from) {
    for (std::size_t i = from; i < lines.size() && lines[i].rfind("###", 0) != 0; ++i) {
      const auto c = cells(lines[i]);
      if (c.size() >= 3 && c[0].rfind("key ", 0) == 0)
        keys[c[0].substr(4)] = trim(find(c[2], "`([^`]+)`").value_or(""));
    }
    if (keys.empty()) problem("§Keys: no key rows");
  }

  void read_sealed(std::size_t& i) {
    // The paragraph, joined into one line, up to its code block.
    std::string para;
    std::size_t j = i;
    for (; j < lines.size() && lines[j].rfind("```", 0) != 0; ++j) para += lines[j] + " ";
    SealedVector v;
    v.number = std::stoi(find(para, R"(\*\*Vector (\d+))").value_or("0"));
    if (const auto base = find(para, R"(As vector (\d+) but)")) {
      if (const SealedVector* b = vector(std::stoi(*base)))
        v = *b, v.number = std::stoi(*find(para, R"(Vector (\d+))"));
      else problem("vector " + std::to_string(v.number) + ": based on an unknown vector");
    }
    if (const auto k = find(para, R"(\bKey ([A-Z])\b)")) v.key_text = keys[*k];
    if (const auto n = find(para, R"(\bname `([^`]*)`)")) v.name = *n;
    if (const auto e = find(para, R"(`expires_at` (\d+))")) v.expires_at = std::stoull(*e);
    if (const auto n = find(para, R"(nonce\s+`([0-9a-f]{2}) [0-9a-f]{2} \.\. [0-9a-f]{2}`)")) {
      const auto first = static_cast<std::uint8_t>(std::stoi(*n, nullptr, 16));
      for (std::size_t b = 0; b < v.nonce.size(); ++b) v.nonce[b] = static_cast<std::uint8_t>(first + b);
    }
    if (const auto p = find(para, R"(plaintext\s+`([0-9a-f]*)`)")) v.plaintext = from_hex(*p);
    const auto text = code_after(j);
    i = j;
    if (!text || v.key_text.empty() || v.expires_at == 0 || v.plaintext.empty()) {
      problem("vector " + std::to_string(v.number) + ": a field or its text is missing");
      return;
    }
    v.text = *text;
    out.sealed.push_back(v);
  }

  /// The clauses of a negative row (or of the defaults sentence) that set the options.
  void options(const std::string& s, NegativeVector& n) {
    if (const auto ring = find(s, R"(keyring \{([^}]*)\})")) {
      n.keyring.clear();
      static const std::regex key_name(R"(key ([A-Z]))");
      for (std::sregex_iterator it(ring->begin(), ring->end(), key_name), end; it != end; ++it)
        n.keyring.push_back(keys[(*it)[1].str()]);
    }
    if (const auto name = find(s, R"(\bname `([^`]*)`)")) n.name = *name;
    if (const auto now = find(s, R"(`now` = (\d+))")) {
      n.now = std::stoll(*now) + std::stoll(find(s, R"(`now` = \d+ \+ (\d+))").value_or("0"));
    }
    if (const auto l = find(s, R"(leeway (\d+))")) n.leeway = std::stoll(*l);
    if (const auto m = find(s, R"(`max_value_bytes`(?: =)? (\d+))")) n.max_value_bytes = std::stoull(*m);
    if (const auto t = find(s, R"(decoded as (an empty struct|`[^`]+`))")) {
      if (*t == "an empty struct") n.type = PayloadType::empty_struct;
      else if (*t == "`std::uint64_t`") n.type = PayloadType::u64;
      else if (*t == "`std::string`") n.type = PayloadType::string;
      else problem("negative vector \"" + n.input + "\": unknown type " + *t);
    }
  }

  /// The changes a row makes to its vector's text; counts what it recognized in `edits`.
  std::string edited(const std::string& s, std::string text, int& edits) {
    const auto fits = [&](std::size_t at) {  // a position the row names is inside the text
      if (at < text.size()) return true;
      problem("\"" + s + "\": no character " + std::to_string(at + 1) + " in a text of " +
              std::to_string(text.size()));
      return false;
    };
    static const std::map<std::string, std::size_t> ordinal = {
        {"first", 1}, {"second", 2}, {"third", 3}, {"fourth", 4}, {"fifth", 5}};
    std::smatch m;
    if (std::regex_search(s, m, std::regex(R"(^the first (\d+) characters of)"))) {
      text = text.substr(0, std::stoul(m[1])), ++edits;
    }
    if (std::regex_search(s, m, std::regex(R"(followed by `([^`]+)`)"))) text += m[1].str(), ++edits;
    if (std::regex_search(s, m, std::regex(R"(without its last character)")) && fits(0))
      text.pop_back(), ++edits;
    if (std::regex_search(s, m, std::regex(R"(with its last character `(.)` replaced by `(.)`)")) &&
        fits(0)) {
      if (text.back() != m[1].str()[0]) problem("\"" + s + "\": the last character is not " + m[1].str());
      text.back() = m[2].str()[0], ++edits;
    }
    if (std::regex_search(s, m, std::regex(R"(with its (\w+) character `(.)` replaced by `(.)`)")) &&
        ordinal.count(m[1]) && fits(ordinal.at(m[1]) - 1)) {
      const std::size_t at = ordinal.at(m[1]) - 1;
      if (text[at] != m[2].str()[0]) problem("\"" + s + "\": that character is not " + m[2].str());
      text[at] = m[3].str()[0], ++edits;
    }
    if (std::regex_search(s, m, std::regex(R"(with a `(.)` in place of its (\d+)(st|nd|rd|th) character)")) &&
        fits(std::stoul(m[2]) - 1)) {
      text[std::stoul(m[2]) - 1] = m[1].str()[0], ++edits;
    }
    if (std::regex_search(s, m, std::regex(R"(with byte (\d+) changed to `([0-9a-f]{2})`)"))) {
      std::string raw = reference_base64url_decode(text).value_or("");
      const std::size_t at = std::stoul(m[1]);
      if (at < raw.size()) raw[at] = from_hex(m[2].str())[0], text = reference_base64url_encode(raw), ++edits;
    }
    return text;
  }

  void read_result(const std::string& result, NegativeVector& n) {
    if (result.rfind("opens", 0) == 0) {
      n.needs_reseal = result.find("`needs_reseal`") != std::string::npos;
      return;
    }
    const std::string name = find(result, "^`([a-z_]+)`").value_or("");
    for (std::size_t e = 1; e < cookieseal::error_count; ++e) {
      if (cookieseal::to_string(static_cast<cookieseal::Error>(e)) == name)
        n.error = static_cast<cookieseal::Error>(e);
    }
    if (!n.error) problem("negative vector \"" + n.input + "\": unknown result " + result);
  }

  void read_negative_row(const std::string& input, const std::string& result,
                         const NegativeVector& defaults) {
    NegativeVector n = defaults;
    n.input = input;
    const auto base = find(input, R"(^(?:the first \d+ characters of )?(`V1`|vector (\d+)))");
    const SealedVector* v = !base ? nullptr : vector(*base == "`V1`" ? 1 : std::stoi(base->substr(7)));
    if (v == nullptr) return problem("negative vector \"" + input + "\": no vector it is based on");
    // A row on "vector N" presents that vector as it was sealed: under its own name and key.
    n.name = v->name;
    n.keyring = {v->key_text};
    int edits = 0;
    n.text = edited(input, v->text, edits);
    const NegativeVector before = n;
    options(input, n);
    const bool options_changed = n.keyring != before.keyring || n.name != before.name ||
                                 n.now != before.now || n.max_value_bytes != before.max_value_bytes ||
                                 n.type != before.type || base->rfind("vector", 0) == 0;
    if (edits == 0 && !options_changed) problem("negative vector \"" + input + "\": no change understood");
    n.listed_below = input.find("below)") != std::string::npos && base == "`V1`";
    read_result(result, n);
    out.negative.push_back(n);
  }

  void read_negative(std::size_t& i) {
    NegativeVector defaults;
    for (; i < lines.size() && lines[i].rfind("| Input", 0) != 0; ++i) {
      if (lines[i].rfind("Unless stated otherwise", 0) == 0) {
        std::string sentence;
        for (std::size_t j = i; j < lines.size() && !trim(lines[j]).empty(); ++j) sentence += lines[j] + " ";
        options(sentence, defaults);
      }
    }
    if (defaults.keyring.empty() || defaults.now == 0 || defaults.max_value_bytes == 0)
      problem("§Negative vectors: the defaults sentence was not understood");
    for (i += 2; i < lines.size() && lines[i].rfind("|", 0) == 0; ++i) {
      const auto c = cells(lines[i]);
      if (c.size() != 2) problem("negative table: a row without two cells: " + lines[i]);
      else read_negative_row(c[0], c[1], defaults);
    }
    std::size_t j = i;
    if (code_after(j)) {
      for (; j < lines.size() && lines[j].rfind("```", 0) != 0; ++j) out.changed_texts.push_back(lines[j]);
    }
  }

  // Two passes: the negative rows name vectors 5 and 6, whose paragraphs follow the table.
  void read() {
    std::vector<std::size_t> negative_at;
    bool in_vectors = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const std::string& l = lines[i];
      if (l.rfind("## ", 0) == 0) in_vectors = l == "## Test vectors";
      if (!in_vectors) continue;
      if (l == "### Keys") read_keys(i + 1);
      else if (l.rfind("**Vector ", 0) == 0) read_sealed(i);
      else if (l == "### Negative vectors") negative_at.push_back(i);
    }
    for (std::size_t i : negative_at) read_negative(i);
    if (out.sealed.empty()) problem("§Test vectors: no vector paragraphs");
    if (out.negative.empty()) problem("§Negative vectors: no rows");
  }
};

}  // namespace

FormatVectors read_format_vectors(std::string_view markdown) {
  Reader r{lines_of(markdown), {}, {}};
  r.read();
  return r.out;
}

FormatVectors read_format_md() {
  std::ifstream in(COOKIESEAL_SOURCE_ROOT "/docs/FORMAT.md");
  std::stringstream doc;
  doc << in.rdbuf();
  FormatVectors v = read_format_vectors(doc.str());
  if (!in) v.problems.insert(v.problems.begin(), "cannot read " COOKIESEAL_SOURCE_ROOT "/docs/FORMAT.md");
  return v;
}

}  // namespace test_support
