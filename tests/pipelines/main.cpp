// The pipeline_tests binary: in-process publisher <-> ingest over 127.0.0.1.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
