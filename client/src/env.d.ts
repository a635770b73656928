/// <reference types="vite/client" />
// Vite's client types: `?url` imports (the WebAssembly binaries of the classifier) and `import.meta.env`.
