package dev.odooops.exec;

/** What a tool printed (stdout whole, stderr as a bounded tail) and how long it took. */
public record ToolResult(int exitCode, String stdout, String stderr, long millis) {
}
