// QR, symmetric eigendecomposition and SVD.
export { applyBlockReflector, buildT, householder } from './householder';
export { jacobiOrthogonalize } from './jacobi-svd';
export { orthonormalize, type QrResult, qr } from './orthonormalize';
export { geqrf, geqrfUnchecked, orgqr, orgqrUnchecked } from './qr';
export {
  type RandomizedSvdOptions,
  type RandomizedSvdResult,
  randomizedSvd,
} from './randomized-svd';
export { secularEigen } from './secular';
export { type SvdResult, svd } from './svd';
export {
  type SymmetricEigenOptions,
  type SymmetricEigenResult,
  symmetricEigen,
} from './symmetric-eigen';
export { DC_LEAF, tridiagonalDc } from './tridiagonal-dc';
export { tridiagonalQl } from './tridiagonal-ql';
export { formTridiagonalQ, tridiagonalize } from './tridiagonalize';
