// The public API of @caldera/runtime.
export {};
