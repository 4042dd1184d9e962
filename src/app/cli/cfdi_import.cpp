// `vertice import cfdi PATH... --company ID`: files, folders (recursively) and ZIPs streamed into
// the invoice importer in batches — a reader thread parses while the database stores — with a
// progress bar on a terminal and a summary.
#include "app/cli/cfdi_import.hpp"

#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "app/cli/context.hpp"
#include "db/pool.hpp"
#include "db/run_sync.hpp"
#include "invoices/archive.hpp"
#include "invoices/importer.hpp"

namespace vertice::app::cli {

namespace fs = std::filesystem;

namespace {

// One thing to import: a file on disk, or a ZIP on disk whose entries are read one at a time
// (nothing per entry is kept, so memory does not grow with the archive).
struct Source {
  fs::path path;
  bool zip = false;
  size_t entries = 1;
};

Result<std::vector<Source>> Collect(const std::vector<std::string>& paths) {
  std::vector<Source> out;
  auto add_file = [&](const fs::path& p) -> Status {
    std::ifstream in(p, std::ios::binary);
    char magic[4] = {};
    in.read(magic, 4);
    if (invoices::LooksLikeZip(std::string_view(magic, static_cast<size_t>(in.gcount())))) {
      VERTICE_ASSIGN_OR_RETURN(auto zip, invoices::ZipReader::OpenFile(p.string()));
      out.push_back({p, true, zip.Size()});
    } else {
      out.push_back({p, false, 1});
    }
    return Status{};
  };
  for (const auto& arg : paths) {
    std::error_code ec;
    fs::path p(arg);
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> files;
      for (const auto& e : fs::recursive_directory_iterator(p, ec))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        auto ext = f.extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
        if (ext == ".xml" || ext == ".zip") VERTICE_TRY(add_file(f));
      }
    } else if (fs::is_regular_file(p, ec)) {
      VERTICE_TRY(add_file(p));
    } else {
      return Fail(ErrorKind::kInvalidInput, "import.no_such_path", "no existe: " + arg);
    }
  }
  return out;
}

void Progress(size_t done, size_t total) {
  constexpr int kWidth = 30;
  int filled = total ? static_cast<int>(kWidth * done / total) : kWidth;
  std::cerr << "\r[" << std::string(static_cast<size_t>(filled), '#')
            << std::string(static_cast<size_t>(kWidth - filled), '.') << "] " << done << "/" << total << " archivos"
            << std::flush;
}

// What the reader thread hands to the storing coroutine: one prepared batch, the entries it
// skipped (not XML), how many entries it has read so far, or the error that stopped it.
struct ReadBatch {
  invoices::PreparedBatch prepared;
  std::vector<invoices::FileResult> skipped;
  size_t done = 0;
  Status status;
};

// A bounded hand-off between the reader thread and the storing coroutine. Closing it (the
// reader finished, or the consumer gave up) wakes both sides.
class BatchQueue {
 public:
  explicit BatchQueue(size_t capacity) : capacity_(capacity) {}
  ~BatchQueue() { Close(); }

  // False when the queue was closed (the consumer stopped): the producer should stop too.
  bool Push(ReadBatch item) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    changed_.notify_all();
    return true;
  }
  std::optional<ReadBatch> Pop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    auto item = std::move(items_.front());
    items_.pop_front();
    changed_.notify_all();
    return item;
  }
  void Close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }

 private:
  size_t capacity_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<ReadBatch> items_;
  bool closed_ = false;
};

struct CloseOnExit {
  BatchQueue& queue;
  ~CloseOnExit() { queue.Close(); }
};

// The reader thread: files and ZIP entries in order, parsed and validated kBatch at a time.
void ReadAndPrepare(const std::vector<Source>& sources, const invoices::Importer& importer, BatchQueue& queue) {
  ReadBatch next;
  std::vector<invoices::ImportFile> files;
  size_t done = 0;
  auto ship = [&]() -> bool {
    next.prepared = importer.Prepare(files);
    files.clear();
    next.done = done;
    bool open = queue.Push(std::move(next));
    next = ReadBatch{};
    return open;
  };
  auto fail = [&](Error e) {
    ReadBatch failed;
    failed.status = std::unexpected(std::move(e));
    queue.Push(std::move(failed));
    queue.Close();
  };
  for (const auto& src : sources) {
    if (!src.zip) {
      std::ifstream in(src.path, std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      files.push_back({src.path.string(), ss.str()});
      ++done;
    } else {
      auto zip = invoices::ZipReader::OpenFile(src.path.string());
      if (!zip) return fail(zip.error());
      for (size_t i = 0; i < zip->Size(); ++i) {
        ++done;
        if (zip->IsDirectory(i)) continue;
        auto entry_name = zip->Name(i);
        if (!invoices::HasXmlName(entry_name)) {
          invoices::FileResult r;
          r.name = src.path.string() + "/" + entry_name;
          r.findings.push_back({"ARCHIVO02", "not_xml", cfdi::Severity::kError, "El archivo no es un XML; se omite."});
          next.skipped.push_back(std::move(r));
          continue;
        }
        auto read = zip->Read(i, src.path.string());
        if (!read) return fail(read.error());
        files.push_back(std::move(*read));
        if (files.size() == invoices::Importer::kBatch && !ship()) return;
      }
      continue;
    }
    if (files.size() == invoices::Importer::kBatch && !ship()) return;
  }
  if (!files.empty() || !next.skipped.empty()) ship();
  queue.Close();
}

}  // namespace

int ImportCfdi(const Config& config, const std::vector<std::string>& paths, const std::string& company_id,
               bool unverified) {
  auto sources = Collect(paths);
  if (!sources) {
    std::cerr << "error: " << sources.error().message << "\n";
    return 2;
  }
  auto urls = ServerDatabaseUrls(config);
  if (!urls) return 2;
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  std::vector<invoices::FileResult> problems;
  invoices::ImportCounts counts;
  auto status = db::RunSync<Status>([&](boost::asio::any_io_executor ex) -> db::Task<Status> {
    db::Pool pool(ex, CommandPool(urls->url));
    VERTICE_CO_ASSIGN_OR_RETURN(auto company, co_await ResolveCompany(ex, urls->admin, company_id));
    // The import records who ran it as the operator's login, with actor type "cli".
    shared::Actor actor = company.actor;
    actor.type = "cli";
    actor.id = OperatorName();
    invoices::Importer importer(pool, company.scope, actor, "cli", unverified);
    VERTICE_CO_TRY(co_await importer.Begin());
    // Pipelined: a reader thread reads files and ZIP entries and parses and validates them in
    // batches, at most two batches ahead, while this coroutine stores the previous batch, so the
    // database never waits on inflating or parsing. Memory stays bounded by the queue.
    size_t total = 0;
    for (const auto& src : *sources) total += src.entries;
    BatchQueue queue(2);
    std::jthread reader([&] { ReadAndPrepare(*sources, importer, queue); });
    // Declared after the thread, so on an early return the queue closes before the join.
    CloseOnExit close_queue{queue};
    size_t done = 0;
    while (auto item = queue.Pop()) {
      if (!item->status) co_return std::unexpected(item->status.error());
      for (auto& r : item->skipped) {
        counts.Add(r);
        problems.push_back(std::move(r));
      }
      done = item->done;
      if (!item->prepared.results.empty()) {
        VERTICE_CO_ASSIGN_OR_RETURN(auto results, co_await importer.Store(std::move(item->prepared)));
        for (auto& r : results)
          if (r.outcome == invoices::Outcome::kRejected || r.outcome == invoices::Outcome::kConflict)
            problems.push_back(std::move(r));
      }
      if (tty) Progress(done, total);
    }
    if (tty) std::cerr << "\n";
    VERTICE_CO_TRY(co_await importer.Finish());
    const auto& c = importer.Counts();
    counts.files += c.files;
    counts.accepted += c.accepted;
    counts.duplicates += c.duplicates;
    counts.conflicts += c.conflicts;
    counts.rejected += c.rejected;
    std::cout << "importación " << importer.ImportId() << " en " << company_id << ": archivos: " << counts.files
              << ", aceptados: " << counts.accepted << ", duplicados: " << counts.duplicates
              << ", conflictos: " << counts.conflicts << ", rechazados: " << counts.rejected << "\n";
    if (unverified)
      std::cout << "importación sin verificar: los comprobantes con sello inválido o sin sello se guardaron "
                   "como no verificados (auditado)\n";
    co_return Status{};
  });
  size_t shown = 0;
  for (const auto& r : problems) {
    if (++shown > 50) {
      std::cout << "… y " << problems.size() - 50 << " más\n";
      break;
    }
    std::cout << (r.outcome == invoices::Outcome::kConflict ? "CONFLICTO " : "RECHAZADO ") << r.name << ":";
    for (const auto& f : r.findings)
      if (f.severity == cfdi::Severity::kError) std::cout << " [" << f.code << "] " << f.message;
    std::cout << "\n";
  }
  if (!status) {
    const auto& e = status.error();
    std::cerr << "error: " << (e.internal.empty() ? e.message : e.message + " (" + e.internal + ")") << "\n";
    return 1;
  }
  return counts.rejected + counts.conflicts > 0 ? 3 : 0;
}

}  // namespace vertice::app::cli
