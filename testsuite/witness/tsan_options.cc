// The witness tests take real pthread mutexes in reversed orders on
// purpose, single-threaded, to make witness report them. ThreadSanitizer's
// own deadlock detector would flag the same reversals and fail the run, so
// it is turned off here; data-race detection stays on (and TSAN_OPTIONS
// from the environment still applies on top of this).
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
extern "C" const char *__tsan_default_options() { return "detect_deadlocks=0"; }
#endif
#endif
