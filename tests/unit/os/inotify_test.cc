// SPDX-License-Identifier: MIT
// Unit tests for os::FileWatch (--reload): writes in place, saves by rename and removals of a
// watched file are reported; other files in the same directory are not.
#include "os/inotify.h"

#include <gtest/gtest.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

namespace bastion::os {
namespace {

class FileWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bastion-inotify-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    file_ = dir_ + "/app.py";
    write(file_, "v1");
  }
  void TearDown() override {
    for (const char* name : {"/app.py", "/other.py", "/app.py.tmp"}) unlink((dir_ + name).c_str());
    rmdir(dir_.c_str());
  }
  static void write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::trunc) << text;
  }
  bool changed(FileWatch& w, const std::string& path) {
    std::vector<std::string> out;
    w.read_changes(&out);
    return std::find(out.begin(), out.end(), path) != out.end();
  }

  std::string dir_;
  std::string file_;
};

TEST_F(FileWatchTest, ReportsWritesRenamesAndRemovals) {
  auto w = FileWatch::open();
  ASSERT_TRUE(w.ok()) << w.error().message;
  ASSERT_TRUE(w.value().add(file_).ok());
  EXPECT_EQ(w.value().size(), 1u);
  EXPECT_FALSE(changed(w.value(), file_));  // nothing yet

  write(file_, "v2");  // in place
  EXPECT_TRUE(changed(w.value(), file_));

  write(file_ + ".tmp", "v3");  // save by rename
  ASSERT_EQ(rename((file_ + ".tmp").c_str(), file_.c_str()), 0);
  EXPECT_TRUE(changed(w.value(), file_));

  unlink(file_.c_str());
  EXPECT_TRUE(changed(w.value(), file_));
}

TEST_F(FileWatchTest, IgnoresOtherFilesInTheDirectory) {
  auto w = FileWatch::open();
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w.value().add(file_).ok());
  write(dir_ + "/other.py", "x");
  std::vector<std::string> out;
  w.value().read_changes(&out);
  EXPECT_TRUE(out.empty());
}

TEST_F(FileWatchTest, RejectsRelativePathsAndMissingDirectories) {
  auto w = FileWatch::open();
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE(w.value().add("app.py").ok());
  EXPECT_FALSE(w.value().add("/nonexistent-bastion-dir/app.py").ok());
  EXPECT_EQ(w.value().size(), 0u);
}

}  // namespace
}  // namespace bastion::os
