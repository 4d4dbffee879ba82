// The public API of @caldera/linalg.
export {};
