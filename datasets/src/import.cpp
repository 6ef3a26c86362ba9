// Text imports into the adamant schemas (see import.hpp): CSV price panels and extended XYZ
// molecular datasets, and extended XYZ export.
//
// CSV follows RFC 4180 (a field may be quoted; a quoted field may hold commas and doubled
// quotes); whitespace around a field is ignored, blank lines are skipped, CRLF line ends and a
// UTF-8 byte-order mark are accepted. Extended XYZ follows the libAtoms/QUIP convention as ASE's
// ase.io.extxyz reads and writes it: the comment line is a list of key=value pairs (values may
// be "quoted" with backslash escapes, or {…} / […] bracketed), `Properties` names the per-atom
// columns as name:type:count triples (type S string, R real, I integer, L logical; default
// species:S:1:pos:R:3), `energy` is the frame's energy (eV), a `forces:R:3` column the forces
// (eV/Å). Keys other than Properties, energy, pbc and Lattice whose value is the same in every
// frame become metadata (and are written back on export).
//
// Errors are DataError whose file part is "<path>:<line>" (compiler style), e.g.
//   stock_prices_20.csv:17: column AAPL: 'abc' is not a number
//   md.xyz:25: frame 3: atom 2: 'Xx' is not an element symbol

#include "adamant/datasets/import.hpp"

#include "adamant/datasets/elements.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace adamant::datasets {
namespace {

// ---- small text helpers ----

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n\v\f";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Quotes a value for an error message, shortened when long.
std::string quoted(std::string_view s) {
  constexpr std::size_t kMax = 40;
  std::string out = "'";
  out += s.size() > kMax ? std::string(s.substr(0, kMax)) + "..." : std::string(s);
  return out + "'";
}

/// Parses all of `s` as a double (a leading '+' allowed). Returns false when `s` is not a
/// number; sets *range when it is one but does not fit a double.
bool parse_double(std::string_view s, double& out, bool* range = nullptr) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.front() == '+') return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (end != s.data() + s.size()) return false;
  if (ec == std::errc::result_out_of_range) {
    if (range) *range = true;
    return false;
  }
  return ec == std::errc();
}

bool parse_int(std::string_view s, std::int64_t& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

/// Shortest decimal form that reads back to the same double.
std::string format_double(double x) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  if (ec != std::errc()) throw std::logic_error("format_double: buffer too small");
  return std::string(buf, end);
}

std::string basename_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

[[noreturn]] void fail_line(const std::string& path, std::size_t line, const std::string& object,
                            const std::string& message) {
  throw DataError(path + ":" + std::to_string(line), object, message);
}

/// Opens a text file for reading; DataError naming the file and the system's reason otherwise.
std::ifstream open_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path, "file", std::string("cannot open: ") + std::strerror(errno));
  return in;
}

/// Reads lines, dropping a trailing '\r' and a leading UTF-8 byte-order mark; counts lines.
class LineReader {
 public:
  explicit LineReader(const std::string& path) : path_(path), in_(open_text(path)) {}
  bool next(std::string& line) {
    if (!std::getline(in_, line)) {
      if (in_.bad()) throw DataError(path_, "file", "read error after line " + std::to_string(n_));
      return false;
    }
    ++n_;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (n_ == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    return true;
  }
  std::size_t line() const { return n_; }

 private:
  std::string path_;
  std::ifstream in_;
  std::size_t n_ = 0;
};

// ---- CSV ----

/// Splits one CSV record into trimmed fields; returns false on an unterminated quote.
bool split_csv(const std::string& line, std::vector<std::string>& fields) {
  fields.clear();
  std::size_t i = 0;
  const std::size_t n = line.size();
  while (true) {
    while (i < n && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::string field;
    if (i < n && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < n) {
        if (line[i] == '"') {
          if (i + 1 < n && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        field += line[i++];
      }
      if (!closed) return false;
      while (i < n && line[i] != ',') {
        if (line[i] != ' ' && line[i] != '\t') return false;  // text after a closing quote
        ++i;
      }
    } else {
      const auto comma = line.find(',', i);
      const auto end = comma == std::string::npos ? n : comma;
      field = std::string(trim(std::string_view(line).substr(i, end - i)));
      i = end;
    }
    fields.push_back(std::move(field));
    if (i >= n) return true;
    ++i;  // the comma
  }
}

bool is_missing(std::string_view cell) {
  if (cell.empty()) return true;
  const std::string l = lower(cell);
  return l == "nan" || l == "na" || l == "null";
}

// ---- extended XYZ ----

struct Column {
  std::string name;
  char type = 'R';
  int count = 1;
};

/// Parses an extended-XYZ comment line into key → value (a bare key gets "T"). Returns "" on
/// success, else what is wrong.
std::string parse_comment(std::string_view s,
                          std::vector<std::pair<std::string, std::string>>& kv) {
  kv.clear();
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto space = [&](std::size_t k) { return std::isspace(static_cast<unsigned char>(s[k])) != 0; };
  // Reads a "quoted" string with backslash escapes starting at s[i] == '"'.
  auto read_quoted = [&](std::string& out) -> bool {
    ++i;
    while (i < n) {
      const char c = s[i++];
      if (c == '"') return true;
      if (c == '\\' && i < n) {
        const char e = s[i++];
        out += e == 'n' ? '\n' : e;
      } else {
        out += c;
      }
    }
    return false;
  };
  while (true) {
    while (i < n && space(i)) ++i;
    if (i >= n) return "";
    std::string key, value;
    if (s[i] == '"') {
      if (!read_quoted(key)) return "unterminated quote";
    } else {
      while (i < n && !space(i) && s[i] != '=') key += s[i++];
    }
    while (i < n && space(i)) ++i;
    if (i < n && s[i] == '=') {
      ++i;
      while (i < n && space(i)) ++i;
      if (i < n && s[i] == '"') {
        if (!read_quoted(value)) return "unterminated quote in the value of '" + key + "'";
      } else if (i < n && (s[i] == '{' || s[i] == '[')) {
        const char open = s[i], close = open == '{' ? '}' : ']';
        int depth = 0;
        const std::size_t b = i;
        for (; i < n; ++i) {
          if (s[i] == open) ++depth;
          if (s[i] == close && --depth == 0) break;
        }
        if (i >= n) return std::string("unclosed '") + open + "' in the value of '" + key + "'";
        ++i;
        value = std::string(s.substr(b, i - b));
      } else {
        while (i < n && !space(i)) value += s[i++];
      }
    } else {
      value = "T";
    }
    if (key.empty()) return "a key=value pair without a key";
    kv.emplace_back(std::move(key), std::move(value));
  }
}

/// Parses a Properties value ("species:S:1:pos:R:3:..."); returns "" or what is wrong.
std::string parse_properties(const std::string& value, std::vector<Column>& columns) {
  columns.clear();
  std::vector<std::string> parts;
  std::string part;
  std::istringstream ss(value);
  while (std::getline(ss, part, ':')) parts.push_back(part);
  if (parts.empty() || parts.size() % 3 != 0)
    return "Properties=" + value + " is not a list of name:type:count triples";
  for (std::size_t k = 0; k < parts.size(); k += 3) {
    Column c;
    c.name = parts[k];
    const std::string t = parts[k + 1];
    std::int64_t count = 0;
    if (c.name.empty()) return "Properties: column " + std::to_string(k / 3 + 1) + " has no name";
    if (t.size() != 1 || std::string("SRIL").find(t[0]) == std::string::npos)
      return "Properties: column '" + c.name + "' has type '" + t + "', expected S, R, I or L";
    if (!parse_int(parts[k + 2], count) || count < 1 || count > 1000)
      return "Properties: column '" + c.name + "' has count '" + parts[k + 2] +
             "', expected a positive integer";
    c.type = t[0];
    c.count = static_cast<int>(count);
    columns.push_back(c);
  }
  return "";
}

AttrValue attr_from_text(const std::string& v) {
  AttrValue a;
  std::int64_t i = 0;
  double f = 0;
  if (parse_int(v, i)) {
    a.kind = AttrValue::Kind::kInt;
    a.i = i;
  } else if (parse_double(v, f) && std::isfinite(f)) {
    a.kind = AttrValue::Kind::kFloat;
    a.f = f;
  } else {
    a.kind = AttrValue::Kind::kString;
    a.s = v;
  }
  return a;
}

bool is_reserved_key(const std::string& key) {
  const std::string l = lower(key);
  return l == "properties" || l == "energy" || l == "pbc" || l == "lattice";
}

bool is_simple_key(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
      return false;
  return true;
}

std::string quote_value(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

/// Writes a text file atomically: `body` fills a stream on a temporary file beside `path`, which
/// is renamed over `path` only when everything was written.
template <typename Body>
void write_text_atomically(const std::string& path, Body&& body) {
  static std::atomic<unsigned long long> counter{0};
  const std::string tmp =
      path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw DataError(path, "file", std::string("cannot create: ") + std::strerror(errno));
    try {
      body(out);
    } catch (...) {
      out.close();
      std::remove(tmp.c_str());
      throw;
    }
    out.flush();
    if (!out) {
      const std::string why = std::strerror(errno);
      out.close();
      std::remove(tmp.c_str());
      throw DataError(path, "file", "write failed: " + why);
    }
  }
  // On disk before the rename makes it visible under the final name (as Writer::commit does).
  const int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    std::remove(tmp.c_str());
    throw DataError(path, "file", "cannot sync the temporary file: " + why);
  }
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw DataError(path, "file", "cannot rename the temporary file into place: " + why);
  }
}

}  // namespace

// ---- prices ----

PricePanel import_prices_csv(const std::string& path) {
  LineReader in(path);
  std::string line;
  std::vector<std::string> header, fields;
  while (in.next(line))
    if (!trim(line).empty()) break;
  if (trim(line).empty())
    throw DataError(path, "header", "the file is empty (expected a header 'date,TICKER,...')");
  const std::size_t header_line = in.line();
  if (!split_csv(line, header)) fail_line(path, header_line, "header", "unterminated quote");
  if (lower(header[0]) != "date")
    fail_line(path, header_line, "header",
              "the first column must be 'date', found " + quoted(header[0]));
  if (header.size() < 2) fail_line(path, header_line, "header", "no ticker columns after 'date'");
  PricePanel panel;
  std::map<std::string, std::size_t> seen;
  for (std::size_t c = 1; c < header.size(); ++c) {
    const std::string& t = header[c];
    if (t.empty())
      fail_line(path, header_line, "header",
                "column " + std::to_string(c + 1) + " has an empty ticker name");
    const auto [it, fresh] = seen.emplace(t, c + 1);
    if (!fresh)
      fail_line(path, header_line, "header",
                "ticker " + quoted(t) + " appears twice (columns " + std::to_string(it->second) +
                    " and " + std::to_string(c + 1) + ")");
    panel.tickers.push_back(t);
  }
  const std::size_t n = panel.tickers.size();
  std::vector<double> values;
  while (in.next(line)) {
    if (trim(line).empty()) continue;
    const std::size_t ln = in.line();
    if (!split_csv(line, fields)) fail_line(path, ln, "row", "unterminated quote");
    if (fields.size() != n + 1)
      fail_line(path, ln, "row",
                "expected " + std::to_string(n + 1) + " fields (date and " + std::to_string(n) +
                    " tickers), found " + std::to_string(fields.size()));
    const std::string& date = fields[0];
    if (!is_iso_date(date))
      fail_line(path, ln, "column date", quoted(date) + " is not a date (YYYY-MM-DD)");
    if (!panel.dates.empty() && date <= panel.dates.back())
      fail_line(path, ln, "column date",
                date + " does not come after the previous date " + panel.dates.back() +
                    " (dates must be strictly increasing)");
    panel.dates.push_back(date);
    for (std::size_t c = 1; c <= n; ++c) {
      const std::string& cell = fields[c];
      double v = std::numeric_limits<double>::quiet_NaN();
      if (!is_missing(cell)) {
        bool range = false;
        if (!parse_double(cell, v, &range))
          fail_line(
              path, ln, "column " + panel.tickers[c - 1],
              quoted(cell) + (range ? " is out of the range of a double" : " is not a number"));
        if (!std::isfinite(v))
          fail_line(path, ln, "column " + panel.tickers[c - 1],
                    quoted(cell) + " is not finite (leave the cell empty for a missing price)");
        if (v <= 0)
          fail_line(path, ln, "column " + panel.tickers[c - 1],
                    "price " + cell + " is not positive");
      }
      values.push_back(v);
    }
  }
  if (panel.dates.empty())
    throw DataError(path, "prices", "no rows after the header (expected one row per date)");
  panel.prices = Eigen::Map<const RowMatrixXd>(
      values.data(), static_cast<Eigen::Index>(panel.dates.size()), static_cast<Eigen::Index>(n));
  panel.metadata["source"] = basename_of(path);
  const std::string problem = panel.validate();
  if (!problem.empty()) throw DataError(path, "prices", problem);
  return panel;
}

// ---- molecules ----

MolecularDataset import_extxyz(const std::string& path) {
  LineReader in(path);
  std::string line;
  std::vector<std::int32_t> z_first;
  std::vector<double> positions, energies, forces;
  std::map<std::string, std::string> info;  // keys constant so far
  std::set<std::string> varying;
  std::vector<std::pair<std::string, std::string>> kv;
  std::vector<Column> columns;
  std::vector<std::string_view> tokens;
  std::size_t frames = 0, first_line = 0;
  bool forces_seen = false;
  while (true) {
    // The atom count (blank lines between frames are skipped).
    bool got = false;
    while ((got = in.next(line)))
      if (!trim(line).empty()) break;
    if (!got) break;
    const std::size_t frame = frames + 1;
    const std::string where = "frame " + std::to_string(frame);
    const std::size_t count_line = in.line();
    std::int64_t count = 0;
    if (!parse_int(trim(line), count) || count < 1)
      fail_line(path, count_line, where,
                "expected the number of atoms (a positive integer), found " + quoted(trim(line)));
    if (frames > 0 && static_cast<std::size_t>(count) != z_first.size())
      fail_line(path, count_line, where,
                "has " + std::to_string(count) + " atoms, frame 1 (line " +
                    std::to_string(first_line) + ") has " + std::to_string(z_first.size()) +
                    " (every frame must hold the same atoms)");
    if (frames == 0) first_line = count_line;

    // The comment line.
    if (!in.next(line)) fail_line(path, count_line, where, "the file ends before the comment line");
    const std::size_t comment_line = in.line();
    const std::string problem = parse_comment(line, kv);
    if (!problem.empty()) fail_line(path, comment_line, where, "comment line: " + problem);
    std::string properties = "species:S:1:pos:R:3";
    std::string energy_text, pbc, lattice;
    std::map<std::string, std::string> frame_info;
    for (const auto& [k, v] : kv) {
      const std::string l = lower(k);
      if (l == "properties") {
        properties = v;
      } else if (l == "energy") {
        energy_text = v;
      } else if (l == "pbc") {
        pbc = v;
      } else if (l == "lattice") {
        lattice = v;
      } else {
        frame_info[k] = v;
      }
    }
    if (energy_text.empty())
      fail_line(path, comment_line, where,
                "no energy=<eV> in the comment line (the molecules schema needs an energy per "
                "frame)");
    double energy = 0;
    if (!parse_double(energy_text, energy) || !std::isfinite(energy))
      fail_line(path, comment_line, where,
                "energy=" + quoted(energy_text) + " is not a finite number");
    const std::string pbc_l = lower(pbc);
    const bool periodic =
        pbc.empty() ? !lattice.empty()
                    : pbc_l.find('t') != std::string::npos || pbc_l.find('1') != std::string::npos;
    if (periodic)
      fail_line(path, comment_line, where,
                "periodic frames (pbc=" + (pbc.empty() ? std::string("T T T from Lattice") : pbc) +
                    ") are not supported: the molecules schema has no cell");
    const std::string prop_problem = parse_properties(properties, columns);
    if (!prop_problem.empty()) fail_line(path, comment_line, where, prop_problem);
    int species_at = -1, z_at = -1, pos_at = -1, forces_at = -1, width = 0;
    for (const Column& c : columns) {
      if (c.name == "species" && c.type == 'S' && c.count == 1) species_at = width;
      if (c.name == "Z" && c.type == 'I' && c.count == 1) z_at = width;
      if (c.name == "pos" && c.type == 'R' && c.count == 3) pos_at = width;
      if (c.name == "forces" && c.type == 'R' && c.count == 3) forces_at = width;
      width += c.count;
    }
    if (species_at < 0 && z_at < 0)
      fail_line(path, comment_line, where,
                "Properties=" + properties + " has no species:S:1 (or Z:I:1) column");
    if (pos_at < 0)
      fail_line(path, comment_line, where, "Properties=" + properties + " has no pos:R:3 column");
    const bool has_forces = forces_at >= 0;
    if (frames > 0 && has_forces != forces_seen)
      fail_line(path, comment_line, where,
                std::string(has_forces ? "has" : "lacks") + " a forces:R:3 column, frame 1 " +
                    (forces_seen ? "has one" : "does not") +
                    " (forces must be given for every frame or for none)");
    forces_seen = has_forces;

    // Metadata: info keys whose value is the same in every frame.
    if (frames == 0) {
      info = frame_info;
    } else {
      for (auto it = info.begin(); it != info.end();) {
        const auto f = frame_info.find(it->first);
        if (f == frame_info.end() || f->second != it->second)
          it = info.erase(it);
        else
          ++it;
      }
    }

    // The atom lines.
    for (std::int64_t a = 0; a < count; ++a) {
      const std::string atom = "atom " + std::to_string(a + 1);
      if (!in.next(line))
        fail_line(path, in.line(), where,
                  "the file ends after " + std::to_string(a) + " of " + std::to_string(count) +
                      " atom lines");
      const std::size_t ln = in.line();
      tokens.clear();
      std::string_view rest(line);
      while (true) {
        rest = trim(rest);
        if (rest.empty()) break;
        std::size_t e = 0;
        while (e < rest.size() && !std::isspace(static_cast<unsigned char>(rest[e]))) ++e;
        tokens.push_back(rest.substr(0, e));
        rest.remove_prefix(e);
      }
      if (tokens.size() != static_cast<std::size_t>(width))
        fail_line(path, ln, where + ": " + atom,
                  "expected " + std::to_string(width) + " columns (Properties=" + properties +
                      "), found " + std::to_string(tokens.size()));
      std::int32_t z = 0;
      if (species_at >= 0) {
        const std::string sym(tokens[species_at]);
        std::int64_t zi = 0;
        try {
          z = atomic_number(sym);
        } catch (const std::invalid_argument&) {
          if (parse_int(sym, zi) && zi >= 1 && zi <= kNumElements)
            z = static_cast<std::int32_t>(zi);
          else
            fail_line(path, ln, where + ": " + atom, quoted(sym) + " is not an element symbol");
        }
      } else {
        std::int64_t zi = 0;
        if (!parse_int(tokens[z_at], zi) || zi < 1 || zi > kNumElements)
          fail_line(path, ln, where + ": " + atom,
                    "Z=" + quoted(tokens[z_at]) + " is not an atomic number in 1..118");
        z = static_cast<std::int32_t>(zi);
      }
      if (frames == 0) {
        z_first.push_back(z);
      } else if (z_first[a] != z) {
        fail_line(path, ln, where + ": " + atom,
                  std::string("is ") + element_symbol(z) + ", in frame 1 it is " +
                      element_symbol(z_first[a]) +
                      " (every frame must hold the same atoms in the same order)");
      }
      auto read_vec3 = [&](int at, const char* what, std::vector<double>& out) {
        for (int k = 0; k < 3; ++k) {
          double v = 0;
          if (!parse_double(tokens[at + k], v) || !std::isfinite(v))
            fail_line(path, ln, where + ": " + atom,
                      std::string(what) + " " + quoted(tokens[at + k]) + " is not a finite number");
          out.push_back(v);
        }
      };
      read_vec3(pos_at, "position", positions);
      if (has_forces) read_vec3(forces_at, "force", forces);
    }
    energies.push_back(energy);
    ++frames;
  }
  if (frames == 0) throw DataError(path, "frames", "no frames (the file is empty)");

  MolecularDataset data;
  data.atomic_numbers = z_first;
  const auto f = static_cast<Eigen::Index>(frames);
  const auto w = static_cast<Eigen::Index>(3 * z_first.size());
  data.positions = Eigen::Map<const RowMatrixXd>(positions.data(), f, w);
  data.energies = Eigen::Map<const Eigen::VectorXd>(energies.data(), f);
  if (forces_seen) data.forces = Eigen::Map<const RowMatrixXd>(forces.data(), f, w);
  for (const auto& [k, v] : info) data.metadata[k] = attr_from_text(v);
  AttrValue source;
  source.s = basename_of(path);
  if (!data.metadata.count("source")) data.metadata["source"] = source;
  if (!data.metadata.count("units")) {
    AttrValue units;
    units.s = "positions Angstrom, energies eV, forces eV/Angstrom";
    data.metadata["units"] = units;
  }
  const std::string problem = data.validate();
  if (!problem.empty()) throw DataError(path, "molecules", problem);
  return data;
}

void export_extxyz(const std::string& path, const MolecularDataset& data) {
  // Like the schema writers: refuse (std::invalid_argument) what a reader would reject.
  const std::string problem = data.validate();
  if (!problem.empty()) throw std::invalid_argument("export_extxyz: " + path + ": " + problem);
  std::string extra;
  for (const auto& [k, v] : data.metadata) {
    if (is_reserved_key(k) || !is_simple_key(k)) continue;
    extra += " " + k + "=";
    switch (v.kind) {
      case AttrValue::Kind::kString:
        extra += quote_value(v.s);
        break;
      case AttrValue::Kind::kInt:
        extra += std::to_string(v.i);
        break;
      case AttrValue::Kind::kFloat:
        extra += format_double(v.f);
        break;
    }
  }
  const bool forces = data.has_forces();
  const std::string properties =
      std::string("Properties=species:S:1:pos:R:3") + (forces ? ":forces:R:3" : "");
  write_text_atomically(path, [&](std::ostream& out) {
    const std::int64_t na = data.num_atoms();
    std::string row;
    for (std::int64_t f = 0; f < data.num_frames(); ++f) {
      out << na << "\n"
          << properties << " energy=" << format_double(data.energies[f]) << extra
          << " pbc=\"F F F\"\n";
      for (std::int64_t a = 0; a < na; ++a) {
        row = element_symbol(data.atomic_numbers[a]);
        row.resize(std::max<std::size_t>(row.size(), 2), ' ');
        auto put = [&](double x) {
          const std::string s = format_double(x);
          row.append(s.size() < 24 ? 24 - s.size() : 1, ' ');
          row += s;
        };
        for (int k = 0; k < 3; ++k) put(data.positions(f, 3 * a + k));
        if (forces)
          for (int k = 0; k < 3; ++k) put(data.forces(f, 3 * a + k));
        out << row << "\n";
      }
    }
  });
}

}  // namespace adamant::datasets
