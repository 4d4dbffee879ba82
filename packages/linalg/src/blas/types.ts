/**
 * Shared types of the BLAS-style kernels.
 *
 * Every matrix is row-major: element (i, j) of a matrix stored in `a` with leading dimension
 * `lda` and offset `offA` lives at `a[offA + i * lda + j]`, so a sub-view is just another
 * (offset, leading dimension) pair and never a copy.
 */

/**
 * Whether an operand is used as stored (`'N'`) or transposed (`'T'`).
 *
 * @example
 * ```ts
 * const t: Transpose = 'T'; // use Aᵀ
 * ```
 */
export type Transpose = 'N' | 'T';

/**
 * Which triangle of a square matrix a routine reads or writes.
 *
 * @example
 * ```ts
 * const uplo: Uplo = 'L';
 * ```
 */
export type Uplo = 'L' | 'U';

/**
 * Which side a triangular operand multiplies from (`'L'`: op(A)·X = B, `'R'`: X·op(A) = B).
 *
 * @example
 * ```ts
 * const side: Side = 'L';
 * ```
 */
export type Side = 'L' | 'R';

/**
 * Whether a triangular matrix has an implicit unit diagonal (`'U'`) or a stored one (`'N'`).
 *
 * @example
 * ```ts
 * const diag: Diag = 'U';
 * ```
 */
export type Diag = 'N' | 'U';

/**
 * A float32 or float64 typed array.
 *
 * @example
 * ```ts
 * const x: FloatArray = new Float64Array(4);
 * ```
 */
export type FloatArray = Float32Array | Float64Array;
