// Jest executes CommonJS packages while it links an ES module graph; the CJS ones that
// require Nest (@nestjs/throttler, nestjs-pino) then need Nest evaluated already.
import '@nestjs/common';
import '@nestjs/core';
