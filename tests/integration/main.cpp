// The integration suite: every case starts a real sluice node (SLUICE_BINARY)
// and drives it with real publishers (sluice-publish processes or an
// in-process whip_session). No mocks.

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <gst/gst.h>
#include <iostream>

#include "tests/fixtures/test_artifacts.hpp"

namespace {

// Shows the node's log tail when a case fails and cleans up the temp dirs of
// passing cases. A listener sees every case end, whatever the reporter.
struct artifacts_listener : doctest::IReporter {
  explicit artifacts_listener(const doctest::ContextOptions&) {
  }

  void test_case_start(const doctest::TestCaseData&) override {
    // In-process publishers need GStreamer; gst_init is idempotent.
    gst_init(nullptr, nullptr);
  }

  void test_case_end(const doctest::CurrentTestCaseStats& st) override {
    bool failed = !st.testCaseSuccess || st.numAssertsFailedCurrentTest > 0;
    sluice::fixtures::finish_test_case(failed, std::cerr);
  }

  void test_case_exception(const doctest::TestCaseException&) override {
  }
  void report_query(const doctest::QueryData&) override {
  }
  void test_run_start() override {
  }
  void test_run_end(const doctest::TestRunStats&) override {
  }
  void test_case_reenter(const doctest::TestCaseData&) override {
  }
  void subcase_start(const doctest::SubcaseSignature&) override {
  }
  void subcase_end() override {
  }
  void log_assert(const doctest::AssertData&) override {
  }
  void log_message(const doctest::MessageData&) override {
  }
  void test_case_skipped(const doctest::TestCaseData&) override {
  }
};

} // namespace

REGISTER_LISTENER("artifacts", 1, artifacts_listener);
