// bsdnetd's HTTP server (stack/usr.sbin/bsdnetd/http.c): request parsing,
// and serving a directory to a client on another stack instance over the
// virtual wire.
#include "tcp_test_util.h"

extern "C" {
#include "tcp_services.h"
}

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>

using namespace tcptest;

namespace {

TEST(HttpParse, PathsStayUnderTheRoot) {
  char out[256];
  EXPECT_EQ(http_decode_path("/a/b.txt?x=1", out, sizeof(out)), 0);
  EXPECT_STREQ(out, "/a/b.txt");
  EXPECT_EQ(http_decode_path("/%61%20b", out, sizeof(out)), 0);
  EXPECT_STREQ(out, "/a b");
  EXPECT_EQ(http_decode_path("/..foo", out, sizeof(out)), 0);
  for (const char *bad : {"/../etc/passwd", "/a/../../x", "/%2e%2e/x",
                          "/a/%2E%2E", "/./x", "relative", "/%zz", "/%00x",
                          "/a\\..\\b"})
    EXPECT_EQ(http_decode_path(bad, out, sizeof(out)), -1) << bad;
}

TEST(HttpParse, RequestLineAndHeaders) {
  http_req req;
  EXPECT_EQ(http_parse_request("GET /x HTTP/1.1\r\nHost: h\r\n", &req), 0);
  EXPECT_EQ(req.head, 0);
  EXPECT_EQ(req.keepalive, 1);
  EXPECT_STREQ(req.path, "/x");
  EXPECT_EQ(http_parse_request("HEAD /x HTTP/1.0\r\n", &req), 0);
  EXPECT_EQ(req.head, 1);
  EXPECT_EQ(req.keepalive, 0);
  EXPECT_EQ(http_parse_request(
                "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n", &req),
            0);
  EXPECT_EQ(req.keepalive, 1);
  EXPECT_EQ(http_parse_request(
                "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n", &req),
            0);
  EXPECT_EQ(req.keepalive, 0);
  EXPECT_EQ(http_parse_request("GET / HTTP/1.1\r\n", &req), 400) << "no Host";
  EXPECT_EQ(http_parse_request("POST / HTTP/1.1\r\nHost: h\r\n", &req), 501);
  EXPECT_EQ(http_parse_request("GET / SPDY/3\r\nHost: h\r\n", &req), 400);
  EXPECT_EQ(http_parse_request("GET\r\n", &req), 400);
  EXPECT_EQ(http_parse_request("GET /../x HTTP/1.1\r\nHost: h\r\n", &req),
            400);
  EXPECT_EQ(http_parse_request(
                "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -4\r\n", &req),
            400);
  EXPECT_EQ(http_parse_request("GET / HTTP/1.1\r\nHost: h\r\n"
                               "Transfer-Encoding: chunked\r\n",
                               &req),
            400);
}

// Serves a temporary directory from stack b on port 80, one thread per
// connection, to clients on stack a.
class HttpServe : public ::testing::Test {
protected:
  void SetUp() override {
    char tmpl[] = "/tmp/mpsafe-http-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir = tmpl;
    ASSERT_EQ(mkdir((dir + "/www").c_str(), 0755), 0);
    std::ofstream(dir + "/www/hello.txt") << "hello, world\n";
    std::ofstream(dir + "/secret.txt") << "outside the root\n";
    ASSERT_EQ(symlink((dir + "/secret.txt").c_str(),
                      (dir + "/www/escape.txt").c_str()),
              0);
    char *real = realpath((dir + "/www").c_str(), nullptr);
    root = real;
    free(real);
    ls = listenOn(w.b, 80);
    server = std::thread([this] {
      bsd_stack_use(w.b);
      std::vector<std::thread> conns;
      while (!stop) {
        bsd_pollfd p{ls, BSD_POLLIN, 0};
        if (bsd_poll(&p, 1, 20) <= 0)
          continue;
        int s = bsd_accept(ls, nullptr, nullptr);
        if (s < 0)
          continue;
        conns.emplace_back([this, s] {
          http_serve(s, root.c_str());
          bsd_close(s);
        });
      }
      for (auto &t : conns)
        t.join();
    });
  }

  void TearDown() override {
    stop = true;
    if (server.joinable())
      server.join();
    bsd_close(ls);
    std::system(("rm -rf " + dir).c_str());
  }

  // Sends `request` on a new connection and reads until the server closes.
  std::string exchange(const std::string &request) {
    int c = connectTo(w.a, "10.0.0.2", 80);
    EXPECT_GE(c, 0);
    if (c < 0)
      return "";
    EXPECT_TRUE(sendAll(c, request.data(), request.size()));
    std::string reply = recvAll(c);
    bsd_close(c);
    return reply;
  }

  WirePair w;
  std::string dir, root;
  int ls = -1;
  std::atomic<bool> stop{false};
  std::thread server;
};

TEST_F(HttpServe, GetHeadAndErrors) {
  std::string r = exchange("GET /hello.txt HTTP/1.0\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("Content-Length: 13\r\n"), std::string::npos) << r;
  EXPECT_EQ(r.substr(r.size() - 13), "hello, world\n");

  r = exchange("HEAD /hello.txt HTTP/1.0\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
  EXPECT_EQ(r.substr(r.size() - 4), "\r\n\r\n") << "HEAD has no body";

  EXPECT_EQ(exchange("GET /nope HTTP/1.0\r\n\r\n").rfind("HTTP/1.1 404", 0),
            0u);
  EXPECT_EQ(exchange("GET /escape.txt HTTP/1.0\r\n\r\n").rfind("HTTP/1.1 404",
                                                             0),
            0u)
      << "a symbolic link out of the root is not followed";
  EXPECT_EQ(exchange("GET /../secret.txt HTTP/1.0\r\n\r\n")
                .rfind("HTTP/1.1 400", 0),
            0u);
  EXPECT_EQ(exchange("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n")
                .rfind("HTTP/1.1 501", 0),
            0u);
  EXPECT_EQ(exchange("garbage\r\n\r\n").rfind("HTTP/1.1 400", 0), 0u);
  EXPECT_EQ(exchange(std::string(9000, 'A')).rfind("HTTP/1.1 400", 0), 0u)
      << "oversized header";
}

TEST_F(HttpServe, KeepAliveServesSeveralRequests) {
  // Two pipelined requests on one connection; the second asks to close.
  std::string r = exchange("GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                           "GET /hello.txt HTTP/1.1\r\nHost: x\r\n"
                           "Connection: close\r\n\r\n");
  size_t first = r.find("HTTP/1.1 200 OK");
  size_t second = r.find("HTTP/1.1 200 OK", first + 1);
  EXPECT_NE(first, std::string::npos);
  EXPECT_NE(second, std::string::npos) << r;
  EXPECT_NE(r.find("Connection: keep-alive"), std::string::npos);
  EXPECT_NE(r.find("Connection: close"), std::string::npos);
}

} // namespace
