import { enableCompileCache } from 'node:module';

// V8 keeps the compiled code of the ~2 700 modules the server loads, across starts (in the
// OS temp folder, or NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off). It
// must be on before they load, hence this entry and the dynamic import.
enableCompileCache();
await import('./server.js');
