await Promise.resolve();
process.exit(2);
