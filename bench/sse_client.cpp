// sse_client: the bench's harness and load client, in one epoll loop.
//
//   sse_client [OPTIONS] -- SERVER [ARG...]
//
// Starts SERVER (its own process group, stdout to --server-stdout, stderr read here), finds
// its port (from a "http://HOST:PORT/" line on its stderr, or by substituting a free port for
// the text {PORT} in its arguments), opens --clients reading connections and --stall
// connections that read the response headers and then never read again, waits until every
// connection has its response headers, waits --settle seconds, samples the server's RSS,
// writes --trigger-count newlines to the --trigger FIFO (which starts the gated command), and
// then reads every stream to its end: the SSE `exit` event, the end of the chunked body, a
// WebSocket close frame, or EOF.
//
// Protocols: --mode sse parses HTTP/1.1 (chunked or not) carrying Server-Sent Events;
// --mode ws does a WebSocket handshake and reads unmasked server frames, one line each.
//
// Checks (--check): `seq` expects the data of the output events to be 1, 2, 3, ... (the
// output of `seq`) and counts every break; `tick` expects "SEQ NS" lines (bench/tick) and
// records, for every line, the CLOCK_MONOTONIC time its bytes were read minus NS; `count`
// only counts. In every mode SSE ids (the digits after the last '.') must be consecutive
// unless a `gap` event announced the missing ones.
//
// Measures: the server's peak RSS (VmHWM polled every 10 ms, and the rusage of its reaping),
// its RSS when all clients are connected, its own CPU time (read from /proc/PID/stat while it
// is a zombie, so its children's time is not in it) and its children's; this process's own
// CPU time; wall times (read_s: from the first connect to the last reader's end, the time a
// replay takes); how often the kernel entered TCP memory pressure meanwhile; `gap` events
// received (gaps). Prints one JSON object on stdout.
//
// Also: --stop-server sends SIGTERM once every reader is done (for servers that never exit on
// their own: websocketd, the naive Node server, ssetail --linger); --rcvbuf caps the readers'
// receive buffers; --connect-after-lines N waits until ssetail's /status counts N lines
// before connecting (a replay of a history captured beforehand); --connect-after-exit waits
// until /status says "exited" (late joiners: everything replayed, nothing live); --connect-delay S;
// --resume N reconnects an SSE client the server dropped mid-stream, with Last-Event-ID, as
// EventSource does (counted in "resumes").
//
// Everything is bounded by --timeout: on expiry the server's process group is killed and the
// figures gathered so far are printed with "timed_out": true.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

using u64 = unsigned long long;
using i64 = long long;

i64 NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<i64>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "sse_client: %s: %s\n", what, std::strerror(errno));
  std::exit(2);
}

enum class Mode { Sse, Ws };
enum class Check { Seq, Tick, Count };

struct Options {
  Mode mode = Mode::Sse;
  Check check = Check::Count;
  std::string path = "/events";
  int clients = 1;
  int stall = 0;
  u64 lines = 0;  // expected output lines per client (0: unknown)
  std::string trigger;
  int trigger_count = 1;
  double settle = 0;
  double timeout = 60;
  bool stop_server = false;  // SIGTERM the server once every client is done
  std::string server_stdout = "/dev/null";
  std::string time_file;
  std::string label;
  int connect_batch = 200;
  double connect_delay = 0;     // seconds between finding the port and the first connect
  int rcvbuf = 0;               // SO_RCVBUF of the reading connections (0: the kernel's autotuning)
  u64 connect_after_lines = 0;  // ssetail only: connect once /status counts this many lines
  bool connect_after_exit = false;  // ssetail only: connect once /status says "exited"
  int resume = 0;  // SSE: reconnect with Last-Event-ID up to this many times per client
  std::vector<std::string> server;
};

void Usage() {
  std::fprintf(stderr,
               "usage: sse_client [--mode sse|ws] [--check seq|tick|count] [--path P]\n"
               "  [--clients N] [--stall N] [--lines N] [--trigger FIFO] [--trigger-count K]\n"
               "  [--settle S] [--timeout S] [--stop-server] [--server-stdout F]\n"
               "  [--time-file F] [--label L] [--connect-batch N]\n"
               "  [--connect-delay S] [--rcvbuf BYTES] [--connect-after-lines N]\n"
               "  [--connect-after-exit] [--resume N]\n"
               "  -- SERVER [ARG...]\n");
  std::exit(2);
}

Options Parse(int argc, char** argv) {
  Options o;
  int i = 1;
  auto value = [&]() -> std::string {
    if (i + 1 >= argc) Usage();
    return argv[++i];
  };
  for (; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--") {
      for (++i; i < argc; ++i) o.server.emplace_back(argv[i]);
      break;
    } else if (a == "--mode") {
      const std::string v = value();
      if (v == "sse")
        o.mode = Mode::Sse;
      else if (v == "ws")
        o.mode = Mode::Ws;
      else
        Usage();
    } else if (a == "--check") {
      const std::string v = value();
      if (v == "seq")
        o.check = Check::Seq;
      else if (v == "tick")
        o.check = Check::Tick;
      else if (v == "count")
        o.check = Check::Count;
      else
        Usage();
    } else if (a == "--path") {
      o.path = value();
    } else if (a == "--clients") {
      o.clients = std::atoi(value().c_str());
    } else if (a == "--stall") {
      o.stall = std::atoi(value().c_str());
    } else if (a == "--lines") {
      o.lines = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "--trigger") {
      o.trigger = value();
    } else if (a == "--trigger-count") {
      o.trigger_count = std::atoi(value().c_str());
    } else if (a == "--settle") {
      o.settle = std::atof(value().c_str());
    } else if (a == "--timeout") {
      o.timeout = std::atof(value().c_str());
    } else if (a == "--stop-server") {
      o.stop_server = true;
    } else if (a == "--server-stdout") {
      o.server_stdout = value();
    } else if (a == "--time-file") {
      o.time_file = value();
    } else if (a == "--label") {
      o.label = value();
    } else if (a == "--resume") {
      o.resume = std::atoi(value().c_str());
    } else if (a == "--connect-after-lines") {
      o.connect_after_lines = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "--connect-after-exit") {
      o.connect_after_exit = true;
    } else if (a == "--rcvbuf") {
      o.rcvbuf = std::atoi(value().c_str());
    } else if (a == "--connect-delay") {
      o.connect_delay = std::atof(value().c_str());
    } else if (a == "--connect-batch") {
      o.connect_batch = std::max(1, std::atoi(value().c_str()));
    } else {
      Usage();
    }
  }
  if (o.server.empty() || o.clients < 0 || o.stall < 0) Usage();
  return o;
}

// ---------------------------------------------------------------------------------------
// One connection and its incremental parsers.

enum class EventType : std::uint8_t { Message, Start, Stdout, Stderr, Exit, Gap, Other };

struct Conn {
  enum class State : std::uint8_t { Waiting, Connecting, Headers, Body, Done, Failed };
  enum class Chunk : std::uint8_t { Size, SizeExt, SizeLf, Data, DataCr, DataLf, End };

  int fd = -1;
  State state = State::Waiting;
  bool stall = false;
  bool reading = true;  // a stall connection stops after the headers
  int attempts = 0;
  i64 retry_at = 0;
  bool counted_ready = false;  // in Harness::ready (got its headers, or failed)
  bool resuming = false;       // reconnecting after the server dropped it mid-stream
  int resumes = 0;
  std::string id_prefix;  // "RUN." of the ids, to resume with Last-Event-ID
  int status = 0;
  std::string head;  // response headers until complete
  // HTTP body framing
  bool chunked = false;
  Chunk chunk = Chunk::Size;
  u64 chunk_left = 0;
  // SSE
  std::string carry;  // a line split across reads or chunks
  EventType event = EventType::Message;
  bool gap_pending = false;
  bool have_id = false;
  u64 last_id = 0;
  // As EventSource: the id to resume from is that of the last event *dispatched* (at its
  // blank line); a line counted for an event cut off before it is taken back on resume.
  bool have_dispatched_id = false;
  u64 dispatched_id = 0;
  bool undispatched_line = false;
  u64 value_before_line = 0;
  // WebSocket
  unsigned char ws_head[14];
  int ws_head_len = 0;
  int ws_head_need = 2;
  bool ws_in_payload = false;
  u64 ws_payload_left = 0;
  int ws_opcode = 0;
  bool ws_fin = true;
  int ws_frag_opcode = 0;
  // figures
  u64 lines = 0;
  u64 last_value = 0;
  u64 data_breaks = 0;
  u64 id_breaks = 0;
  u64 gap_missed = 0;
  u64 gaps = 0;  // `gap` events received
  u64 stderr_lines = 0;
  u64 raw_bytes = 0;
  u64 body_bytes = 0;  // after de-chunking: the SSE bytes themselves
  bool got_exit = false;
  const char* end_reason = "";
  i64 t_ready = 0;
  i64 t_done = 0;
};

struct Harness;
void OnLine(Harness& h, Conn& c, std::string_view text);

struct Harness {
  Options opt;
  int epoll_fd = -1;
  pid_t server_pid = -1;
  int pidfd = -1;
  int stderr_fd = -1;
  std::string stderr_tail;  // for diagnostics and the port line
  int port = 0;
  int trigger_fd = -1;
  std::vector<Conn> conns;
  std::vector<u64> latencies_ns;
  i64 now = 0;  // time of the current read, for latencies
  std::vector<char> buffer = std::vector<char>(256 * 1024);
  std::string request;
  int in_flight = 0;
  int next_to_connect = 0;
  int ready = 0;    // connections with their headers, or failed
  int settled = 0;  // reading connections done or failed
  // server figures
  long hwm_kb = 0;
  long rss_ready_kb = 0;
  long anon_ready_kb = 0;
  long threads_max = 0;
  bool server_exited = false;
  int server_status = 0;
  double server_user_s = 0, server_sys_s = 0, children_cpu_s = 0;
  long ru_maxrss_kb = 0;
  // times
  i64 t_spawn = 0, t_connect_start = 0, t_all_ready = 0, t_trigger = 0, t_last_done = 0,
      t_server_exit = 0;
  bool timed_out = false;
  long long tcp_pressures_start = -1;
};

// ---------------------------------------------------------------------------------------
// Line handling: the checks.

u64 ParseUint(std::string_view s, std::size_t* used = nullptr) {
  u64 v = 0;
  std::size_t i = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) v = v * 10 + static_cast<u64>(s[i] - '0');
  if (used) *used = i;
  return v;
}

void OnLine(Harness& h, Conn& c, std::string_view text) {
  ++c.lines;
  if (h.opt.check == Check::Count) return;
  std::size_t used = 0;
  const u64 value = ParseUint(text, &used);
  if (used == 0 || value != c.last_value + 1) ++c.data_breaks;
  c.last_value = value;
  if (h.opt.check == Check::Tick && used < text.size() && text[used] == ' ') {
    const u64 sent = ParseUint(text.substr(used + 1));
    const i64 delta = h.now - static_cast<i64>(sent);
    h.latencies_ns.push_back(delta > 0 ? static_cast<u64>(delta) : 0);
  }
}

void MarkDone(Harness& h, Conn& c, const char* reason) {
  if (c.state == Conn::State::Done || c.state == Conn::State::Failed) return;
  c.state = Conn::State::Done;
  c.end_reason = reason;
  c.t_done = NowNs();
  h.t_last_done = c.t_done;
  if (!c.stall) ++h.settled;
  if (c.fd >= 0) {
    ::close(c.fd);
    c.fd = -1;
  }
}

void MarkFailed(Harness& h, Conn& c, const char* reason) {
  if (c.state == Conn::State::Done || c.state == Conn::State::Failed) return;
  c.state = Conn::State::Failed;
  c.end_reason = reason;
  c.t_done = NowNs();
  if (!c.counted_ready) {
    c.counted_ready = true;
    ++h.ready;
    if (h.in_flight > 0) --h.in_flight;
  }
  if (!c.stall) ++h.settled;
  if (c.fd >= 0) {
    ::close(c.fd);
    c.fd = -1;
  }
}

// One complete SSE line (without its LF). Fields are recognised by their first bytes only:
// the hot path runs once per line of a multi-gigabyte stream.
void SseLine(Harness& h, Conn& c, std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) {  // end of an event
    c.event = EventType::Message;
    c.undispatched_line = false;
    if (c.have_id) {
      c.have_dispatched_id = true;
      c.dispatched_id = c.last_id;
    }
    return;
  }
  switch (line[0]) {
    case ':':
      return;  // comment (preamble, ping)
    case 'd':
      if (line.size() >= 5 && line.compare(0, 5, "data:") == 0) {
        std::string_view data = line.substr(5);
        if (!data.empty() && data[0] == ' ') data.remove_prefix(1);
        switch (c.event) {
          case EventType::Message:
          case EventType::Stdout:
            c.value_before_line = c.last_value;
            c.undispatched_line = true;
            OnLine(h, c, data);
            break;
          case EventType::Stderr:
            ++c.stderr_lines;
            break;
          case EventType::Exit:
            c.got_exit = true;
            break;
          case EventType::Gap: {
            const auto colon = data.find(':');
            if (colon != std::string_view::npos) c.gap_missed += ParseUint(data.substr(colon + 1));
            c.gap_pending = true;
            ++c.gaps;
            break;
          }
          default:
            break;
        }
      }
      return;
    case 'i':
      if (line.size() >= 3 && line.compare(0, 3, "id:") == 0) {
        // The digits at the end: SEQ of "RUN.SEQ", or the whole id.
        std::size_t i = line.size();
        while (i > 3 && line[i - 1] >= '0' && line[i - 1] <= '9') --i;
        const u64 id = ParseUint(line.substr(i));
        if (c.id_prefix.empty()) {
          std::size_t start = 3;
          while (start < i && line[start] == ' ') ++start;
          c.id_prefix.assign(line.substr(start, i - start));
          if (c.id_prefix.empty()) c.id_prefix = " ";  // numeric ids: nothing to keep
        }
        if (c.have_id && id != c.last_id + 1 && !c.gap_pending) ++c.id_breaks;
        c.gap_pending = false;
        c.have_id = true;
        c.last_id = id;
      }
      return;
    case 'e':
      if (line.size() >= 6 && line.compare(0, 6, "event:") == 0) {
        std::string_view type = line.substr(6);
        if (!type.empty() && type[0] == ' ') type.remove_prefix(1);
        if (type == "stdout")
          c.event = EventType::Stdout;
        else if (type == "stderr")
          c.event = EventType::Stderr;
        else if (type == "start")
          c.event = EventType::Start;
        else if (type == "exit")
          c.event = EventType::Exit;
        else if (type == "gap")
          c.event = EventType::Gap;
        else if (type == "message")
          c.event = EventType::Message;
        else
          c.event = EventType::Other;
      }
      return;
    default:
      return;  // retry: and unknown fields
  }
}

// SSE bytes (de-chunked). Lines are handled in place unless one straddles two reads.
void SseFeed(Harness& h, Conn& c, const char* p, std::size_t n) {
  c.body_bytes += n;
  while (n > 0) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', n));
    if (nl == nullptr) {
      c.carry.append(p, n);
      return;
    }
    const auto len = static_cast<std::size_t>(nl - p);
    if (c.carry.empty()) {
      SseLine(h, c, std::string_view(p, len));
    } else {
      c.carry.append(p, len);
      SseLine(h, c, c.carry);
      c.carry.clear();
    }
    p = nl + 1;
    n -= len + 1;
    if (c.got_exit && c.event == EventType::Message) return;  // the exit event is complete
  }
}

// The HTTP body: de-chunks when needed. Returns false when the body has ended.
bool BodyFeed(Harness& h, Conn& c, const char* p, std::size_t n) {
  if (!c.chunked) {
    SseFeed(h, c, p, n);
    return !c.got_exit;
  }
  while (n > 0) {
    switch (c.chunk) {
      case Conn::Chunk::Size: {
        const char ch = *p;
        int digit = -1;
        if (ch >= '0' && ch <= '9')
          digit = ch - '0';
        else if (ch >= 'a' && ch <= 'f')
          digit = ch - 'a' + 10;
        else if (ch >= 'A' && ch <= 'F')
          digit = ch - 'A' + 10;
        if (digit >= 0) {
          c.chunk_left = c.chunk_left * 16 + static_cast<u64>(digit);
        } else if (ch == '\r') {
          c.chunk = Conn::Chunk::SizeLf;
        } else if (ch == '\n') {
          c.chunk = c.chunk_left ? Conn::Chunk::Data : Conn::Chunk::End;
          if (c.chunk == Conn::Chunk::End) return false;
        } else {
          c.chunk = Conn::Chunk::SizeExt;
        }
        ++p;
        --n;
        break;
      }
      case Conn::Chunk::SizeExt:
      case Conn::Chunk::SizeLf:
        if (*p == '\n') {
          c.chunk = c.chunk_left ? Conn::Chunk::Data : Conn::Chunk::End;
          if (c.chunk == Conn::Chunk::End) return false;
        }
        ++p;
        --n;
        break;
      case Conn::Chunk::Data: {
        const std::size_t take = static_cast<std::size_t>(std::min<u64>(c.chunk_left, n));
        SseFeed(h, c, p, take);
        if (c.got_exit) return false;
        p += take;
        n -= take;
        c.chunk_left -= take;
        if (c.chunk_left == 0) c.chunk = Conn::Chunk::DataCr;
        break;
      }
      case Conn::Chunk::DataCr:
        c.chunk = *p == '\r' ? Conn::Chunk::DataLf : Conn::Chunk::Size;
        if (c.chunk == Conn::Chunk::DataLf) {
          ++p;
          --n;
        }
        break;
      case Conn::Chunk::DataLf:
        if (*p == '\n') {
          ++p;
          --n;
        }
        c.chunk = Conn::Chunk::Size;
        c.chunk_left = 0;
        break;
      case Conn::Chunk::End:
        return false;
    }
  }
  return true;
}

void WsSendPong(Conn& c, std::string_view payload) {
  // Client frames must be masked; a zero mask leaves the payload as it is.
  std::string frame;
  frame.push_back(static_cast<char>(0x8A));
  frame.push_back(static_cast<char>(0x80 | std::min<std::size_t>(payload.size(), 125)));
  frame.append(4, '\0');
  frame.append(payload.substr(0, 125));
  (void)!::send(c.fd, frame.data(), frame.size(), MSG_NOSIGNAL);
}

// Returns false on a close frame.
bool WsMessage(Harness& h, Conn& c, int opcode, bool fin, std::string_view payload) {
  switch (opcode) {
    case 0x8:
      return false;
    case 0x9:
      WsSendPong(c, payload);
      return true;
    case 0xA:
      return true;
    default:
      break;
  }
  if (!fin) {
    // A fragment: keep it (in carry) until the final one.
    if (c.carry.data() != payload.data()) c.carry.append(payload);
    c.ws_frag_opcode = opcode ? opcode : c.ws_frag_opcode;
    return true;
  }
  if (!payload.empty() && payload.back() == '\n') payload.remove_suffix(1);
  OnLine(h, c, payload);
  return true;
}

bool WsFeed(Harness& h, Conn& c, const char* p, std::size_t n) {
  c.body_bytes += n;
  while (n > 0) {
    if (!c.ws_in_payload) {
      while (n > 0 && c.ws_head_len < c.ws_head_need) {
        c.ws_head[c.ws_head_len++] = static_cast<unsigned char>(*p++);
        --n;
        if (c.ws_head_len == 2) {
          const int len7 = c.ws_head[1] & 0x7F;
          c.ws_head_need = 2 +
                           (len7 == 126   ? 2
                            : len7 == 127 ? 8
                                          : 0) +
                           ((c.ws_head[1] & 0x80) ? 4 : 0);
        }
      }
      if (c.ws_head_len < c.ws_head_need) return true;
      u64 len = c.ws_head[1] & 0x7F;
      if (len == 126) {
        len = (u64{c.ws_head[2]} << 8) | c.ws_head[3];
      } else if (len == 127) {
        len = 0;
        for (int i = 0; i < 8; ++i) len = (len << 8) | c.ws_head[2 + i];
      }
      c.ws_fin = (c.ws_head[0] & 0x80) != 0;
      c.ws_opcode = c.ws_head[0] & 0x0F;
      c.ws_head_len = 0;
      c.ws_head_need = 2;
      c.ws_payload_left = len;
      c.ws_in_payload = true;
    }
    const std::size_t take = static_cast<std::size_t>(std::min<u64>(c.ws_payload_left, n));
    const bool complete = take == c.ws_payload_left;
    bool go_on = true;
    if (complete && c.carry.empty()) {
      go_on = WsMessage(h, c, c.ws_opcode, c.ws_fin, std::string_view(p, take));
    } else {
      c.carry.append(p, take);
      if (complete) {
        const bool fin = c.ws_fin;
        const int opcode = c.ws_opcode ? c.ws_opcode : c.ws_frag_opcode;
        if (fin || opcode >= 0x8) {
          std::string message;
          message.swap(c.carry);
          go_on = WsMessage(h, c, opcode, true, message);
        }
      }
    }
    p += take;
    n -= take;
    c.ws_payload_left -= take;
    if (complete) c.ws_in_payload = false;
    if (!go_on) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// Sockets.

void EpollSet(Harness& h, int fd, u64 tag, std::uint32_t events, int op) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag;
  if (::epoll_ctl(h.epoll_fd, op, fd, &ev) != 0) Die("epoll_ctl");
}

void StartConnect(Harness& h, std::size_t index) {
  Conn& c = h.conns[index];
  c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c.fd < 0) Die("socket");
  if (c.stall) {
    int small = 4096;
    ::setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  } else if (h.opt.rcvbuf > 0) {
    ::setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &h.opt.rcvbuf, sizeof h.opt.rcvbuf);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(h.port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ++c.attempts;
  c.state = Conn::State::Connecting;
  const int r = ::connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  if (r != 0 && errno != EINPROGRESS) Die("connect");
  EpollSet(h, c.fd, index, EPOLLOUT, EPOLL_CTL_ADD);
}

void RetryLater(Conn& c) {
  ::close(c.fd);
  c.fd = -1;
  c.state = Conn::State::Waiting;
  c.retry_at = NowNs() + 20'000'000;  // the server may not listen yet
}

void OnConnected(Harness& h, std::size_t index) {
  Conn& c = h.conns[index];
  int error = 0;
  socklen_t len = sizeof error;
  ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &len);
  if (error != 0) {
    if (c.attempts < 250) return RetryLater(c);
    errno = error;
    return MarkFailed(h, c, "connect");
  }
  std::string resume_request;
  const std::string* request = &h.request;
  if (c.resuming && c.have_dispatched_id) {
    // As EventSource does: ask for what follows the last event received.
    resume_request = h.request.substr(0, h.request.size() - 2) +
                     "Last-Event-ID: " + (c.id_prefix == " " ? "" : c.id_prefix) +
                     std::to_string(c.dispatched_id) + "\r\n\r\n";
    request = &resume_request;
  }
  const ssize_t sent = ::send(c.fd, request->data(), request->size(), MSG_NOSIGNAL);
  if (sent != static_cast<ssize_t>(request->size())) return MarkFailed(h, c, "send");
  c.state = Conn::State::Headers;
  EpollSet(h, c.fd, index, EPOLLIN, EPOLL_CTL_MOD);
}

// The server ended a stream before its `exit`: reconnect, as EventSource would, asking with
// Last-Event-ID for what follows the last event received. Returns false when not resuming.
bool Resume(Harness& h, Conn& c) {
  if (h.opt.mode != Mode::Sse || c.got_exit || c.resumes >= h.opt.resume) return false;
  ++c.resumes;
  if (c.undispatched_line) {  // cut off before its blank line: it comes again
    --c.lines;
    c.last_value = c.value_before_line;
    if (h.opt.check == Check::Tick && !h.latencies_ns.empty()) h.latencies_ns.pop_back();
    c.undispatched_line = false;
  }
  c.last_id = c.dispatched_id;
  c.have_id = c.have_dispatched_id;
  ::close(c.fd);
  c.fd = -1;
  c.state = Conn::State::Waiting;
  c.resuming = true;
  c.retry_at = NowNs();
  c.status = 0;
  c.head.clear();
  c.chunked = false;
  c.chunk = Conn::Chunk::Size;
  c.chunk_left = 0;
  c.carry.clear();
  c.event = EventType::Message;
  return true;
}

bool Ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// Bytes while reading the headers. Returns the offset where the body starts, or npos.
std::size_t HeadersFeed(Harness& h, Conn& c, const char* p, std::size_t n) {
  const std::size_t before = c.head.size();
  c.head.append(p, n);
  const std::size_t end = c.head.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (c.head.size() > 65536) MarkFailed(h, c, "headers too long");
    return std::string::npos;
  }
  const std::string_view head(c.head.data(), end);
  if (head.size() > 12 && head.compare(0, 5, "HTTP/") == 0) c.status = std::atoi(head.data() + 9);
  std::size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos < head.size()) {
    const std::size_t next = head.find("\r\n", pos + 2);
    const std::string_view line = head.substr(
        pos + 2, next == std::string_view::npos ? std::string_view::npos : next - pos - 2);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos && Ieq(line.substr(0, colon), "transfer-encoding")) {
      std::string value(line.substr(colon + 1));
      for (char& ch : value) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      c.chunked = value.find("chunked") != std::string::npos;
    }
    pos = next;
  }
  return end + 4 - before;
}

void OnReadable(Harness& h, std::size_t index) {
  Conn& c = h.conns[index];
  for (int round = 0; round < 4 && c.fd >= 0 && c.reading; ++round) {
    const ssize_t got = ::recv(c.fd, h.buffer.data(), h.buffer.size(), 0);
    if (got < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      if (c.state == Conn::State::Body) return Resume(h, c) ? void() : MarkDone(h, c, "reset");
      return MarkFailed(h, c, "recv");
    }
    if (got == 0) {
      if (c.state == Conn::State::Body) return Resume(h, c) ? void() : MarkDone(h, c, "eof");
      return MarkFailed(h, c, "eof before headers");
    }
    h.now = NowNs();
    c.raw_bytes += static_cast<u64>(got);
    // A short read drained the socket: the next recv would only say EAGAIN (epoll is level
    // triggered and reports the socket again when more arrives).
    const bool drained = static_cast<std::size_t>(got) < h.buffer.size();
    const char* p = h.buffer.data();
    std::size_t n = static_cast<std::size_t>(got);
    if (c.state == Conn::State::Headers) {
      const std::size_t body = HeadersFeed(h, c, p, n);
      if (body == std::string::npos) continue;
      const int want = h.opt.mode == Mode::Ws ? 101 : 200;
      if (c.status != want) return MarkFailed(h, c, "status");
      c.state = Conn::State::Body;
      c.head.clear();
      c.head.shrink_to_fit();
      if (c.resuming) {
        c.resuming = false;
      } else {
        c.t_ready = h.now;
        c.counted_ready = true;
        ++h.ready;
        --h.in_flight;
      }
      if (c.stall) {
        c.reading = false;  // from now on it never reads: the server's writes pile up
        EpollSet(h, c.fd, index, 0, EPOLL_CTL_DEL);
        return;
      }
      p += body;
      n -= body;
    }
    const bool more = h.opt.mode == Mode::Ws ? WsFeed(h, c, p, n) : BodyFeed(h, c, p, n);
    if (!more) return MarkDone(h, c, c.got_exit ? "exit event" : "end of stream");
    if (drained) return;
  }
}

// ---------------------------------------------------------------------------------------
// The server process.

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Die("bind");
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

void SpawnServer(Harness& h) {
  std::vector<std::string> args = h.opt.server;
  for (auto& arg : args) {
    const auto at = arg.find("{PORT}");
    if (at != std::string::npos) {
      if (h.port == 0) h.port = FreePort();
      arg.replace(at, 6, std::to_string(h.port));
    }
  }
  int err[2];
  if (::pipe2(err, O_CLOEXEC) != 0) Die("pipe");
  const int out =
      ::open(h.opt.server_stdout.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) Die("server stdout");
  const int null_in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  h.t_spawn = NowNs();
  const pid_t pid = ::fork();
  if (pid < 0) Die("fork");
  if (pid == 0) {
    ::setpgid(0, 0);
    ::dup2(null_in, 0);
    ::dup2(out, 1);
    ::dup2(err[1], 2);
    signal(SIGPIPE, SIG_DFL);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    std::fprintf(stderr, "sse_client: cannot run %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  ::setpgid(pid, pid);
  ::close(err[1]);
  ::close(out);
  ::close(null_in);
  h.server_pid = pid;
  h.stderr_fd = err[0];
  ::fcntl(h.stderr_fd, F_SETFL, O_NONBLOCK);
  h.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (h.pidfd < 0) Die("pidfd_open");
}

constexpr u64 kTagStderr = ~u64{0};
constexpr u64 kTagPidfd = ~u64{0} - 1;

void ReadServerStderr(Harness& h) {
  char buf[8192];
  for (;;) {
    const ssize_t got = ::read(h.stderr_fd, buf, sizeof buf);
    if (got <= 0) {
      if (got == 0) {
        ::epoll_ctl(h.epoll_fd, EPOLL_CTL_DEL, h.stderr_fd, nullptr);
        ::close(h.stderr_fd);
        h.stderr_fd = -1;
      }
      return;
    }
    h.stderr_tail.append(buf, static_cast<std::size_t>(got));
    if (h.port == 0) {
      const auto at = h.stderr_tail.find("http://");
      if (at != std::string::npos) {
        const auto slash = h.stderr_tail.find('/', at + 7);
        if (slash != std::string::npos) {
          const auto colon = h.stderr_tail.rfind(':', slash);
          if (colon != std::string::npos && colon > at + 7) {
            h.port = std::atoi(h.stderr_tail.c_str() + colon + 1);
          }
        }
      }
    }
    if (h.stderr_tail.size() > 16384) h.stderr_tail.erase(0, h.stderr_tail.size() - 8192);
  }
}

void PollServerStatus(Harness& h, long* rss_kb, long* anon_kb = nullptr) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/status", h.server_pid);
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char buf[4096];
  const ssize_t got = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (got <= 0) return;
  buf[got] = '\0';
  auto field = [&](const char* name) -> long {
    const char* at = std::strstr(buf, name);
    return at ? std::atol(at + std::strlen(name)) : -1;
  };
  const long hwm = field("VmHWM:");
  if (hwm > h.hwm_kb) h.hwm_kb = hwm;
  const long threads = field("Threads:");
  if (threads > h.threads_max) h.threads_max = threads;
  if (rss_kb) *rss_kb = field("VmRSS:");
  if (anon_kb) *anon_kb = field("RssAnon:");
}

// ssetail's GET /status response (headers and body), or "". Blocking, bounded by a 1 s
// socket timeout.
std::string StatusResponse(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {};
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request = "GET /status HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                                "\r\nConnection: close\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      char buf[4096];
      ssize_t got;
      while ((got = ::recv(fd, buf, sizeof buf, 0)) > 0)
        response.append(buf, static_cast<std::size_t>(got));
    }
  }
  ::close(fd);
  return response;
}

// /status "stdout_lines", or -1.
long long StatusLines(int port) {
  const std::string response = StatusResponse(port);
  const auto at = response.find("\"stdout_lines\":");
  return at == std::string::npos ? -1 : std::atoll(response.c_str() + at + 15);
}

// /status says the command has exited.
bool StatusExited(int port) {
  return StatusResponse(port).find("\"state\":\"exited\"") != std::string::npos;
}

// The server has exited: read its own CPU time while it is a zombie, then reap it.
void ReapServer(Harness& h) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(h.server_pid), &info, WEXITED | WNOWAIT) != 0) return;
  h.t_server_exit = NowNs();
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", h.server_pid);
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  double self_s = -1;
  if (fd >= 0) {
    char buf[2048];
    const ssize_t got = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (got > 0) {
      buf[got] = '\0';
      const char* p = std::strrchr(buf, ')');
      if (p) {
        // Fields after the command name, from field 3 (state); utime and stime are 14 and 15.
        std::vector<std::string> fields;
        const char* s = p + 2;
        while (*s && fields.size() < 16) {
          const char* e = std::strchr(s, ' ');
          if (!e) e = s + std::strlen(s);
          fields.emplace_back(s, e);
          s = *e ? e + 1 : e;
        }
        if (fields.size() >= 13) {
          const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
          h.server_user_s = std::atof(fields[11].c_str()) / tick;
          h.server_sys_s = std::atof(fields[12].c_str()) / tick;
          self_s = h.server_user_s + h.server_sys_s;
        }
      }
    }
  }
  int status = 0;
  rusage ru{};
  if (::wait4(h.server_pid, &status, 0, &ru) == h.server_pid) {
    h.server_exited = true;
    h.server_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    h.ru_maxrss_kb = ru.ru_maxrss;
    const double total = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    h.children_cpu_s = self_s >= 0 ? std::max(0.0, total - self_s) : 0;
  }
  ::kill(-h.server_pid, SIGKILL);  // anything the server left behind in its group
}

// The kernel's count of episodes of TCP memory pressure (TcpExt TCPMemoryPressures), or -1.
long long TcpMemoryPressures() {
  FILE* f = std::fopen("/proc/net/netstat", "r");
  if (!f) return -1;
  char names[8192], values[8192];
  long long result = -1;
  while (std::fgets(names, sizeof names, f) && std::fgets(values, sizeof values, f)) {
    if (std::strncmp(names, "TcpExt:", 7) != 0) continue;
    // The two lines hold the field names and their values in the same order.
    char* save_names = nullptr;
    char* save_values = nullptr;
    char* name = strtok_r(names, " \n", &save_names);
    char* value = strtok_r(values, " \n", &save_values);
    while (name && value) {
      if (std::strcmp(name, "TCPMemoryPressures") == 0) result = std::atoll(value);
      name = strtok_r(nullptr, " \n", &save_names);
      value = strtok_r(nullptr, " \n", &save_values);
    }
  }
  std::fclose(f);
  return result;
}

// ---------------------------------------------------------------------------------------
// Output.

double Seconds(i64 from, i64 to) {
  return from && to && to >= from ? static_cast<double>(to - from) / 1e9 : 0;
}

void PrintJson(Harness& h) {
  u64 lines_total = 0, lines_min = ~u64{0}, lines_max = 0, lost = 0, data_breaks = 0, id_breaks = 0,
      gap_missed = 0, gaps = 0, stderr_lines = 0, raw = 0;
  int done = 0, failed = 0, with_exit = 0, stall_ready = 0, resumes = 0;
  std::string fail_reasons, end_reasons;
  for (const Conn& c : h.conns) {
    if (c.stall) {
      if (c.t_ready) ++stall_ready;
      continue;
    }
    lines_total += c.lines;
    resumes += c.resumes;
    lines_min = std::min(lines_min, c.lines);
    lines_max = std::max(lines_max, c.lines);
    if (h.opt.lines > c.lines) lost += h.opt.lines - c.lines;
    data_breaks += c.data_breaks;
    id_breaks += c.id_breaks;
    gap_missed += c.gap_missed;
    gaps += c.gaps;
    stderr_lines += c.stderr_lines;
    raw += c.raw_bytes;
    if (c.state == Conn::State::Done) ++done;
    if (c.state == Conn::State::Failed || c.state != Conn::State::Done) {
      ++failed;
      if (fail_reasons.size() < 200) {
        fail_reasons += c.state == Conn::State::Failed ? c.end_reason : "unfinished";
        if (c.status) fail_reasons += " " + std::to_string(c.status);
        fail_reasons += ";";
      }
    }
    if (c.got_exit) ++with_exit;
    if (std::getenv("SSE_CLIENT_DEBUG") && !c.got_exit) {
      std::fprintf(stderr, "client %zu: %s after %llu lines, %.3f s after the trigger\n",
                   static_cast<std::size_t>(&c - h.conns.data()), c.end_reason, c.lines,
                   Seconds(h.t_trigger, c.t_done));
    }
    if (c.state == Conn::State::Done && end_reasons.find(c.end_reason) == std::string::npos) {
      end_reasons += c.end_reason;
      end_reasons += ";";
    }
  }
  const int readers = h.opt.clients;
  if (readers == 0) lines_min = 0;

  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, lmax = 0;
  if (!h.latencies_ns.empty()) {
    auto& v = h.latencies_ns;
    std::sort(v.begin(), v.end());
    auto at = [&](double q) {
      const std::size_t i =
          std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())));
      return static_cast<double>(v[i]) / 1e3;
    };
    p50 = at(0.50);
    p90 = at(0.90);
    p99 = at(0.99);
    p999 = at(0.999);
    lmax = static_cast<double>(v.back()) / 1e3;
  }

  // The gated command's own wall times (one line per gate).
  double cmd_median = 0, cmd_max = 0;
  int cmd_count = 0;
  if (!h.opt.time_file.empty()) {
    std::vector<double> times;
    if (FILE* f = std::fopen(h.opt.time_file.c_str(), "r")) {
      long long ns;
      while (std::fscanf(f, "%lld", &ns) == 1) times.push_back(static_cast<double>(ns) / 1e9);
      std::fclose(f);
    }
    if (!times.empty()) {
      std::sort(times.begin(), times.end());
      cmd_median = times[times.size() / 2];
      cmd_max = times.back();
      cmd_count = static_cast<int>(times.size());
    }
  }

  rusage self{};
  ::getrusage(RUSAGE_SELF, &self);
  const double client_user =
      static_cast<double>(self.ru_utime.tv_sec) + static_cast<double>(self.ru_utime.tv_usec) / 1e6;
  const double client_sys =
      static_cast<double>(self.ru_stime.tv_sec) + static_cast<double>(self.ru_stime.tv_usec) / 1e6;

  const i64 end = readers > 0 ? h.t_last_done : h.t_server_exit;
  const double active = Seconds(h.t_trigger ? h.t_trigger : h.t_spawn, end);
  const u64 body0 = h.conns.empty() ? 0 : h.conns[0].body_bytes;

  std::string reasons;
  for (char ch : fail_reasons) reasons += (ch == '"' || ch == '\\') ? '_' : ch;

  std::printf(
      "{\"label\":\"%s\",\"clients\":%d,\"stall\":%d,\"stall_ready\":%d,\"done\":%d,\"failed\":%d,"
      "\"fail_reasons\":\"%s\",\"end_reasons\":\"%s\",\"with_exit\":%d,\"resumes\":%d,"
      "\"lines_total\":%llu,\"lines_min\":%llu,\"lines_max\":%llu,\"expected_per_client\":%llu,"
      "\"lost\":%llu,\"data_breaks\":%llu,\"id_breaks\":%llu,\"gap_missed\":%llu,\"gaps\":%llu,"
      "\"stderr_lines\":%llu,\"raw_bytes\":%llu,\"body_bytes_client0\":%llu,"
      "\"wall_s\":%.6f,\"connect_s\":%.6f,\"active_s\":%.6f,\"lines_per_s\":%.1f,"
      "\"read_s\":%.6f,"
      "\"lat_samples\":%zu,\"lat_p50_us\":%.1f,\"lat_p90_us\":%.1f,\"lat_p99_us\":%.1f,"
      "\"lat_p999_us\":%.1f,\"lat_max_us\":%.1f,"
      "\"server_user_s\":%.3f,\"server_sys_s\":%.3f,\"server_cpu_s\":%.3f,"
      "\"children_cpu_s\":%.3f,\"server_peak_rss_kb\":%ld,\"server_hwm_polled_kb\":%ld,"
      "\"ru_maxrss_kb\":%ld,\"server_rss_ready_kb\":%ld,\"server_anon_ready_kb\":%ld,\"server_"
      "threads_max\":%ld,"
      "\"server_exit\":%d,\"client_user_s\":%.3f,\"client_sys_s\":%.3f,\"client_cpu_s\":%.3f,"
      "\"cmd_s\":%.6f,\"cmd_max_s\":%.6f,\"cmd_count\":%d,\"tcp_mem_pressures\":%lld,"
      "\"timed_out\":%s}\n",
      h.opt.label.c_str(), readers, h.opt.stall, stall_ready, done, failed, reasons.c_str(),
      end_reasons.c_str(), with_exit, resumes, lines_total, lines_min, lines_max,
      static_cast<unsigned long long>(h.opt.lines), lost, data_breaks, id_breaks, gap_missed, gaps,
      stderr_lines, raw, body0, Seconds(h.t_spawn, h.t_server_exit),
      Seconds(h.t_connect_start, h.t_all_ready), active,
      active > 0 ? static_cast<double>(lines_total) / active : 0.0,
      Seconds(h.t_connect_start, readers > 0 ? h.t_last_done : 0), h.latencies_ns.size(), p50, p90,
      p99, p999, lmax, h.server_user_s, h.server_sys_s, h.server_user_s + h.server_sys_s,
      h.children_cpu_s, std::max(h.hwm_kb, h.ru_maxrss_kb), h.hwm_kb, h.ru_maxrss_kb,
      h.rss_ready_kb, h.anon_ready_kb, h.threads_max, h.server_exited ? h.server_status : -1,
      client_user, client_sys, client_user + client_sys, cmd_median, cmd_max, cmd_count,
      h.tcp_pressures_start >= 0 ? TcpMemoryPressures() - h.tcp_pressures_start : -1LL,
      h.timed_out ? "true" : "false");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  Harness h;
  h.opt = Parse(argc, argv);
  const Options& o = h.opt;

  if (!o.trigger.empty()) {
    // Read-write, so that opening it never blocks and gates that open it late still find
    // their byte: the FIFO lives as long as this process holds it.
    h.trigger_fd = ::open(o.trigger.c_str(), O_RDWR | O_CLOEXEC);
    if (h.trigger_fd < 0) Die("trigger fifo");
  }

  h.tcp_pressures_start = TcpMemoryPressures();
  h.epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (h.epoll_fd < 0) Die("epoll_create1");
  SpawnServer(h);
  EpollSet(h, h.stderr_fd, kTagStderr, EPOLLIN, EPOLL_CTL_ADD);
  EpollSet(h, h.pidfd, kTagPidfd, EPOLLIN, EPOLL_CTL_ADD);

  const int total_conns = o.clients + o.stall;
  h.conns.resize(static_cast<std::size_t>(total_conns));
  // Stall connections first, so they are in place before the readers are.
  for (int i = 0; i < o.stall; ++i) h.conns[static_cast<std::size_t>(o.clients + i)].stall = true;
  std::vector<std::size_t> order;
  for (int i = 0; i < o.stall; ++i) order.push_back(static_cast<std::size_t>(o.clients + i));
  for (int i = 0; i < o.clients; ++i) order.push_back(static_cast<std::size_t>(i));

  const i64 deadline = h.t_spawn + static_cast<i64>(o.timeout * 1e9);
  enum class Phase {
    Port,
    Connect,
    Settle,
    Run,
    Drain
  } phase = total_conns > 0 ? Phase::Port : Phase::Settle;
  i64 settle_until = total_conns > 0 ? 0 : h.t_spawn + static_cast<i64>(o.settle * 1e9);
  i64 next_poll = 0;
  i64 kill_at = 0;
  i64 port_seen = 0;
  i64 next_status = 0;
  bool status_reached = false;
  bool terminated = false;
  std::vector<epoll_event> events(1024);

  while (!h.server_exited) {
    const i64 now = NowNs();
    if (now >= next_poll && !h.server_exited) {
      PollServerStatus(h, nullptr);
      next_poll = now + 10'000'000;
    }
    if (now >= deadline && !h.timed_out) {
      h.timed_out = true;
      ::kill(h.server_pid, SIGTERM);
      kill_at = now + 3'000'000'000LL;
      terminated = true;
    }
    if (kill_at && now >= kill_at) {
      ::kill(-h.server_pid, SIGKILL);
      ::kill(h.server_pid, SIGKILL);
      kill_at = 0;
    }

    if (phase == Phase::Connect || phase == Phase::Run) {
      for (std::size_t i = 0; i < h.conns.size(); ++i) {
        Conn& c = h.conns[i];
        if (c.state == Conn::State::Waiting && c.retry_at && now >= c.retry_at) {
          c.retry_at = 0;
          StartConnect(h, i);
        }
      }
    }
    switch (phase) {
      case Phase::Port:
        if (h.port != 0 && port_seen == 0) port_seen = now;
        if (h.port != 0 && (o.connect_after_lines > 0 || o.connect_after_exit) && !status_reached &&
            now >= next_status) {
          next_status = now + 50'000'000;
          if (o.connect_after_exit
                  ? StatusExited(h.port)
                  : StatusLines(h.port) >= static_cast<long long>(o.connect_after_lines))
            status_reached = true;
        }
        if (h.port != 0 && now - port_seen >= static_cast<i64>(o.connect_delay * 1e9) &&
            ((o.connect_after_lines == 0 && !o.connect_after_exit) || status_reached)) {
          const std::string host = "127.0.0.1:" + std::to_string(h.port);
          if (o.mode == Mode::Ws) {
            h.request = "GET " + o.path + " HTTP/1.1\r\nHost: " + host +
                        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Key: c3NldGFpbC1iZW5jaC0wMQ==\r\n"
                        "Sec-WebSocket-Version: 13\r\n\r\n";
          } else {
            h.request = "GET " + o.path + " HTTP/1.1\r\nHost: " + host +
                        "\r\nAccept: text/event-stream\r\n\r\n";
          }
          phase = Phase::Connect;
          h.t_connect_start = now;
        }
        break;
      case Phase::Connect: {
        // Connections in order, at most connect_batch without their headers at a time.
        while (h.next_to_connect < total_conns && h.in_flight < o.connect_batch) {
          const std::size_t index = order[static_cast<std::size_t>(h.next_to_connect++)];
          ++h.in_flight;
          StartConnect(h, index);
        }
        if (h.ready >= total_conns) {
          h.t_all_ready = now;
          settle_until = now + static_cast<i64>(o.settle * 1e9);
          phase = Phase::Settle;
        }
        break;
      }
      case Phase::Settle:
        if (now >= settle_until) {
          PollServerStatus(h, &h.rss_ready_kb, &h.anon_ready_kb);
          if (h.trigger_fd >= 0) {
            std::string newlines(static_cast<std::size_t>(o.trigger_count), '\n');
            if (::write(h.trigger_fd, newlines.data(), newlines.size()) !=
                static_cast<ssize_t>(newlines.size())) {
              Die("trigger write");
            }
          }
          h.t_trigger = NowNs();
          phase = Phase::Run;
        }
        break;
      case Phase::Run:
        if (h.settled >= o.clients) {
          // Every reader is done: let the stalled ones go, and stop a server that would not.
          for (Conn& c : h.conns) {
            if (c.stall && c.fd >= 0) {
              ::close(c.fd);
              c.fd = -1;
            }
          }
          if (o.stop_server && !terminated) {
            ::kill(h.server_pid, SIGTERM);
            terminated = true;
          }
          if (!kill_at) kill_at = now + 15'000'000'000LL;  // it should exit well before
          phase = Phase::Drain;
        }
        break;
      case Phase::Drain:
        break;
    }

    i64 wait_ns = next_poll - NowNs();
    if (phase == Phase::Connect) wait_ns = std::min<i64>(wait_ns, 5'000'000);
    if (phase == Phase::Settle) wait_ns = std::min<i64>(wait_ns, settle_until - NowNs());
    const int timeout_ms =
        static_cast<int>(std::clamp<i64>((wait_ns + 999'999) / 1'000'000, 0, 10));
    const int n =
        ::epoll_wait(h.epoll_fd, events.data(), static_cast<int>(events.size()), timeout_ms);
    if (n < 0 && errno != EINTR) Die("epoll_wait");
    for (int i = 0; i < n; ++i) {
      const u64 tag = events[static_cast<std::size_t>(i)].data.u64;
      if (tag == kTagStderr) {
        ReadServerStderr(h);
      } else if (tag == kTagPidfd) {
        // Read the last of its stderr, then its figures.
        if (h.stderr_fd >= 0) ReadServerStderr(h);
        ReapServer(h);
      } else {
        Conn& c = h.conns[tag];
        if (c.fd < 0) continue;
        if (c.state == Conn::State::Connecting) {
          OnConnected(h, tag);
        } else {
          OnReadable(h, tag);
        }
      }
    }
    if (h.server_exited) break;
  }

  // A server that ended before its clients: whatever is still open ends now.
  for (Conn& c : h.conns) {
    if (c.fd >= 0 && !c.stall && c.state == Conn::State::Body) {
      // Drain what the kernel still holds for it.
      for (;;) {
        const ssize_t got = ::recv(c.fd, h.buffer.data(), h.buffer.size(), MSG_DONTWAIT);
        if (got <= 0) break;
        h.now = NowNs();
        c.raw_bytes += static_cast<u64>(got);
        const bool more = o.mode == Mode::Ws
                              ? WsFeed(h, c, h.buffer.data(), static_cast<std::size_t>(got))
                              : BodyFeed(h, c, h.buffer.data(), static_cast<std::size_t>(got));
        if (!more) break;
      }
      if (c.got_exit || !h.timed_out) MarkDone(h, c, c.got_exit ? "exit event" : "server exit");
    }
    if (c.fd >= 0) {
      ::close(c.fd);
      c.fd = -1;
    }
  }
  if (!h.stderr_tail.empty() && (h.timed_out || (h.server_status != 0 && !o.stop_server))) {
    std::fprintf(
        stderr, "sse_client: server stderr (tail): %s\n",
        h.stderr_tail.substr(h.stderr_tail.size() > 600 ? h.stderr_tail.size() - 600 : 0).c_str());
  }
  PrintJson(h);
  return 0;
}
