// Column-aligned plain-text tables for human output.
#ifndef KMS_SERVER_KMSCTL_TABLE_H_
#define KMS_SERVER_KMSCTL_TABLE_H_

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace kms::kmsctl {

class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  // Rows shorter than the header are padded with empty cells; longer ones
  // are cut.
  void AddRow(std::vector<std::string> cells);
  // Keeps columns at least this wide, so that batches printed one after
  // another (audit tail --follow) stay aligned.
  void SetMinWidths(std::vector<size_t> widths);
  size_t row_count() const { return rows_.size(); }

  // Columns are separated by two spaces; the last column is not padded, so
  // lines carry no trailing blanks. Empty cells print as "-".
  void Print(std::ostream& out, bool with_header = true) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<size_t> min_widths_;
};

// Display width of UTF-8 text: code points, not bytes (no wide glyphs are
// expected in names, ids and states).
size_t DisplayWidth(std::string_view text);

}  // namespace kms::kmsctl

#endif  // KMS_SERVER_KMSCTL_TABLE_H_
