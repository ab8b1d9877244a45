// SPDX-License-Identifier: MIT
#include "server/threaded.h"

#include "base/assert.h"
#include "base/clock.h"

namespace bastion::server {

namespace {

/// One pulled event, owning its bytes.
struct Event {
  PullStatus status = PullStatus::Done;
  std::string status_text;
  std::string data;  // Data bytes, or the head's fields
  ResponseHead head;
  int file_fd = -1;
  int64_t offset = 0;
  int64_t length = -1;
};

}  // namespace

/// The request snapshot and the event queue shared by the loop and one pool thread.
class Channel {
 public:
  // --- the request, owned (the connection may go away while the job runs) ---
  std::string head_bytes;
  http::RequestHead head;
  Body body;
  os::SockAddr peer;
  os::SockAddr local;
  std::string request_id;
  RequestInfo info;
  uint64_t token = 0;

  // --- the response ---
  std::mutex mu;
  std::condition_variable cv;  // the producer waits here (high water, file sent, cancel)
  std::deque<Event> events;
  size_t queued_bytes = 0;
  bool cancelled = false;
  bool file_wait = false;      // the producer waits: its File event's file must stay open
};

namespace {

class ThreadedSource final : public ResponseSource {
 public:
  ThreadedSource(std::shared_ptr<Channel> ch, size_t high_water)
      : ch_(std::move(ch)), high_water_(high_water) {}

  ~ThreadedSource() override {
    std::lock_guard lock(ch_->mu);
    ch_->cancelled = true;
    ch_->cv.notify_all();
  }

  Pull pull() override {
    std::unique_lock lock(ch_->mu);
    if (file_out_) {
      // The connection pulls again only once the file went out: the job may go on.
      file_out_ = false;
      ch_->file_wait = false;
      ch_->cv.notify_all();
    }
    Pull p;
    if (ch_->events.empty()) {
      p.status = PullStatus::Pending;
      return p;
    }
    current_ = std::move(ch_->events.front());
    ch_->events.pop_front();
    size_t before = ch_->queued_bytes;
    ch_->queued_bytes -= current_.data.size();
    if (before >= high_water_ && ch_->queued_bytes < high_water_) ch_->cv.notify_all();
    if (current_.status == PullStatus::File) file_out_ = true;
    lock.unlock();

    p.status = current_.status;
    switch (current_.status) {
      case PullStatus::Head:
        current_.head.status_text = current_.status_text;
        current_.head.fields = current_.data;
        p.head = &current_.head;
        break;
      case PullStatus::Data: p.data = current_.data; break;
      case PullStatus::File:
        p.file_fd = current_.file_fd;
        p.offset = current_.offset;
        p.length = current_.length;
        break;
      default: break;
    }
    return p;
  }

 private:
  std::shared_ptr<Channel> ch_;
  size_t high_water_;
  Event current_;
  bool file_out_ = false;  // the last event handed out was a File
};

}  // namespace

ThreadedHandler::ThreadedHandler(event::Loop& loop, Handler& inner, int threads, Hooks hooks,
                                 size_t high_water)
    : loop_(loop), inner_(inner), hooks_(std::move(hooks)), high_water_(high_water) {
  BASTION_ASSERT(threads >= 1);
  loop_.add(waker_.fd(), EPOLLIN, this);
  thread_count_ = static_cast<size_t>(threads);
  call_since_ = std::make_unique<std::atomic<int64_t>[]>(thread_count_);
  for (size_t i = 0; i < thread_count_; ++i) call_since_[i].store(0);
  for (size_t i = 0; i < thread_count_; ++i) threads_.emplace_back([this, i] { run_thread(i); });
}

ThreadedHandler::~ThreadedHandler() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    work_cv_.notify_all();
  }
  for (auto& t : threads_) t.join();
  loop_.remove(waker_.fd());
}

std::unique_ptr<ResponseSource> ThreadedHandler::start(const RequestInfo& info) {
  auto ch = std::make_shared<Channel>();
  ch->head_bytes.assign(info.head_bytes);
  ch->head = *info.head;
  rebase_head(ch->head, info.head_bytes.data(), ch->head_bytes.data(), ch->head_bytes.size());
  if (info.body != nullptr) ch->body.swap(*info.body);
  ch->peer = *info.peer;
  if (info.local != nullptr) ch->local = *info.local;
  ch->request_id.assign(info.request_id);
  ch->info = info;
  ch->info.head = &ch->head;
  ch->info.head_bytes = ch->head_bytes;
  ch->info.body = &ch->body;
  ch->info.peer = &ch->peer;
  ch->info.local = info.local != nullptr ? &ch->local : nullptr;
  ch->info.request_id = ch->request_id;
  ch->token = info.connection_id;
  auto source = std::make_unique<ThreadedSource>(ch, high_water_);
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(ch));
  }
  work_cv_.notify_one();
  return source;
}

int64_t ThreadedHandler::oldest_call_start_ms() const noexcept {
  int64_t oldest = 0;
  for (size_t i = 0; i < thread_count_; ++i) {
    int64_t t = call_since_[i].load(std::memory_order_relaxed);
    if (t != 0 && (oldest == 0 || t < oldest)) oldest = t;
  }
  return oldest;
}

size_t ThreadedHandler::busy() const {
  std::lock_guard lock(mu_);
  return queue_.size() + running_;
}

void ThreadedHandler::notify(uint64_t token) {
  bool first;
  {
    std::lock_guard lock(mu_);
    first = ready_tokens_.empty();
    ready_tokens_.push_back(token);
  }
  if (first) waker_.wake();
}

void ThreadedHandler::on_io(uint32_t) {
  waker_.drain();
  std::vector<uint64_t> tokens;
  {
    std::lock_guard lock(mu_);
    tokens.swap(ready_tokens_);
  }
  if (ready_) {
    for (uint64_t t : tokens) ready_(t);
  }
}

void ThreadedHandler::run_thread(size_t index) {
  std::atomic<int64_t>& since = call_since_[index];
  if (hooks_.thread_enter) hooks_.thread_enter();
  while (true) {
    std::shared_ptr<Channel> ch;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stop_ and nothing left
      ch = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    since.store(base::now_ms(), std::memory_order_relaxed);
    std::unique_ptr<ResponseSource> source = inner_.start(ch->info);
    since.store(0, std::memory_order_relaxed);
    while (true) {
      {
        std::lock_guard lock(ch->mu);
        if (ch->cancelled) break;
      }
      since.store(base::now_ms(), std::memory_order_relaxed);
      Pull p = source->pull();
      since.store(0, std::memory_order_relaxed);
      Event ev;
      ev.status = p.status;
      switch (p.status) {
        case PullStatus::Head:
          ev.head = *p.head;
          ev.status_text.assign(p.head->status_text);
          ev.data.assign(p.head->fields);
          break;
        case PullStatus::Data: ev.data.assign(p.data); break;
        case PullStatus::File:
          ev.file_fd = p.file_fd;
          ev.offset = p.offset;
          ev.length = p.length;
          break;
        default: break;
      }
      bool last = p.status == PullStatus::Done || p.status == PullStatus::Error ||
                  p.status == PullStatus::Pending;
      {
        std::unique_lock lock(ch->mu);
        // Back-pressure: a slow reader parks this thread (GIL released: pull() returned).
        ch->cv.wait(lock, [&] { return ch->cancelled || ch->queued_bytes < high_water_; });
        if (ch->cancelled) break;
        ch->queued_bytes += ev.data.size();
        bool is_file = ev.status == PullStatus::File;
        ch->events.push_back(std::move(ev));
        if (is_file) ch->file_wait = true;
        lock.unlock();
        notify(ch->token);
        if (is_file) {
          // The file object must stay open until the loop has sent it.
          lock.lock();
          ch->cv.wait(lock, [&] { return ch->cancelled || !ch->file_wait; });
          if (ch->cancelled) break;
        }
      }
      if (last) break;
    }
    source.reset();  // the iterable's close() runs here, on this Python thread
    ch.reset();
    std::lock_guard lock(mu_);
    --running_;
  }
  if (hooks_.thread_exit) hooks_.thread_exit();
}

}  // namespace bastion::server
