// The public API of @caldera/quant.
export {};
