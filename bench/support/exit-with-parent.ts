// Preloaded (`--import`) into the benchmark's child processes, which are started with an
// IPC channel: when the benchmark goes away, even killed with SIGKILL, the channel closes
// and the child shuts itself down instead of lingering on its port.
process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
