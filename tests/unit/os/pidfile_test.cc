// SPDX-License-Identifier: MIT
// Unit tests for os::Pidfile: written atomically, refused while a live bastion holds it,
// stale files replaced, removed only while it still names us.
#include "os/pidfile.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "base/exit_codes.h"

namespace bastion::os {
namespace {

class PidfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bastion-pidfile-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/bastion.pid";
  }
  void TearDown() override {
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }
  void write(const std::string& text) { std::ofstream(path_) << text; }

  std::string dir_;
  std::string path_;
};

TEST_F(PidfileTest, WritesPidWithMode0644AndRemovesIt) {
  {
    Pidfile pf;
    ASSERT_TRUE(pf.create(path_, getpid()).ok());
    EXPECT_EQ(read_pidfile(path_), getpid());
    struct stat st {};
    ASSERT_EQ(stat(path_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0644u);
  }
  EXPECT_NE(access(path_.c_str(), F_OK), 0);
}

TEST_F(PidfileTest, ReplacesStaleOrJunkFiles) {
  pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);  // a pid that is certainly dead now
  for (const std::string& stale : {std::to_string(child) + "\n", std::string("junk"), std::string("")}) {
    write(stale);
    Pidfile pf;
    EXPECT_TRUE(pf.create(path_, getpid()).ok()) << stale;
    EXPECT_EQ(read_pidfile(path_), getpid());
  }
}

TEST_F(PidfileTest, RefusesALiveBastionProcess) {
  // A live child whose argv[0] names bastion stands in for another master.
  pid_t child = fork();
  if (child == 0) {
    execl("/bin/sh", "bastion-fake-master", "-c", "sleep 5", nullptr);
    _exit(127);
  }
  // Wait until exec has replaced the image, so /proc/<pid>/cmdline shows the new argv[0].
  for (int i = 0; i < 200; ++i) {
    std::ifstream cmd("/proc/" + std::to_string(child) + "/cmdline");
    std::string text;
    std::getline(cmd, text, '\n');
    if (text.find("bastion-fake-master") != std::string::npos) break;
    usleep(10000);
  }
  write(std::to_string(child) + "\n");
  Pidfile pf;
  auto st = pf.create(path_, getpid());
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, base::kExitPidfile);
  EXPECT_NE(st.error().message.find("held by a running master"), std::string::npos);
  EXPECT_EQ(read_pidfile(path_), child);  // untouched
}

TEST_F(PidfileTest, LiveProcessThatIsNotBastionIsStale) {
  // Our parent (the test runner's shell or ctest) is alive but is not a bastion process.
  write(std::to_string(getppid()) + "\n");
  Pidfile pf;
  EXPECT_TRUE(pf.create(path_, getpid()).ok());
}

TEST_F(PidfileTest, RemoveLeavesAFileNamingAnotherProcess) {
  Pidfile pf;
  ASSERT_TRUE(pf.create(path_, getpid()).ok());
  write("12345\n");  // a newer master took the file over
  pf.remove();
  EXPECT_EQ(read_pidfile(path_), 12345);
}

}  // namespace
}  // namespace bastion::os
