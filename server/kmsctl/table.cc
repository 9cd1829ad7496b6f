#include "server/kmsctl/table.h"

#include <algorithm>

namespace kms::kmsctl {
namespace {

constexpr std::string_view kEmptyCell = "-";
constexpr std::string_view kGap = "  ";

std::string_view Cell(const std::string& text) {
  return text.empty() ? kEmptyCell : std::string_view(text);
}

}  // namespace

size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (char c : text) {
    // Continuation bytes (10xxxxxx) do not start a code point.
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;
  }
  return width;
}

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

void Table::SetMinWidths(std::vector<size_t> widths) {
  min_widths_ = std::move(widths);
}

void Table::Print(std::ostream& out, bool with_header) const {
  std::vector<size_t> widths(headers_.size(), 0);
  for (size_t i = 0; i < headers_.size(); ++i) {
    if (with_header) widths[i] = DisplayWidth(headers_[i]);
    if (i < min_widths_.size()) widths[i] = std::max(widths[i], min_widths_[i]);
    for (const auto& row : rows_) {
      widths[i] = std::max(widths[i], DisplayWidth(Cell(row[i])));
    }
  }
  auto print_line = [&](const std::vector<std::string>& cells, bool header) {
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) {
      std::string_view text =
          header ? std::string_view(cells[i]) : Cell(cells[i]);
      line.append(text);
      if (i + 1 < cells.size()) {
        line.append(widths[i] - DisplayWidth(text), ' ');
        line.append(kGap);
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  };
  if (with_header) print_line(headers_, true);
  for (const auto& row : rows_) print_line(row, false);
}

}  // namespace kms::kmsctl
