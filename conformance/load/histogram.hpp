// Fixed-size latency histogram: 0.1 ms buckets up to 10 s, then one overflow bucket. Memory
// stays the same however many samples a load run records. Histograms merge exactly (bucket
// counts add), so shards of one run on many machines give the percentiles of the whole.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ssespec::load {

class Histogram {
 public:
  static constexpr double kBucketMs = 0.1;
  static constexpr std::size_t kBuckets = 100000;  // 10 s

  Histogram() : counts_(kBuckets + 1, 0) {}

  void record(double ms) {
    ms = std::max(0.0, ms);
    const auto bucket = static_cast<std::size_t>(ms / kBucketMs);
    ++counts_[std::min(bucket, kBuckets)];
    ++count_;
    max_ = std::max(max_, ms);
  }

  // Adds `count` samples to one bucket; `max_ms` is the largest sample they hold. How a saved
  // histogram is read back (load merge).
  void add(std::size_t bucket, std::uint64_t count, double max_ms) {
    counts_[std::min(bucket, kBuckets)] += count;
    count_ += count;
    if (count > 0) max_ = std::max(max_, max_ms);
  }

  void merge(const Histogram& other) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    max_ = std::max(max_, other.max_);
  }

  // Per bucket index (kBuckets is the overflow), its count.
  const std::vector<std::uint64_t>& buckets() const { return counts_; }

  std::uint64_t count() const { return count_; }
  double max() const { return max_; }

  // The upper edge of the bucket holding the p-th percentile (0..100); 0 with no samples.
  double percentile(double p) const {
    if (count_ == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(std::max(1.0, p / 100.0 * static_cast<double>(count_) + 0.5));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) return i == kBuckets ? max_ : std::min(max_, (static_cast<double>(i) + 1) * kBucketMs);
    }
    return max_;
  }

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  double max_ = 0;
};

}  // namespace ssespec::load
