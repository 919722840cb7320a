// Shared by the pair kernels of pairs_amd64.s, which move pairs between
// one vector of 32 lanes' worth and two of 16.

// PAIRPERM sets Z2 to the permutation Z28 and Z0 to the permutation Z29
// of the 32 lanes of Z0 then Z1.
#define PAIRPERM \
	VMOVAPS   Z0, Z2; \
	VPERMT2PS Z1, Z28, Z2; \
	VPERMT2PS Z1, Z29, Z0

// PAIRMASKS sets, for CX < 16 pairs, K1 to the low CX lanes and K2 and K3
// to the low and the high 16 of the low 2·CX lanes; it doubles CX.
#define PAIRMASKS \
	MOVQ  $1, R8; \
	SHLQ  CX, R8; \
	DECQ  R8; \
	KMOVW R8, K1; \
	ADDQ  CX, CX; \
	MOVQ  $1, R8; \
	SHLQ  CX, R8; \
	DECQ  R8; \
	KMOVW R8, K2; \
	SHRQ  $16, R8; \
	KMOVW R8, K3
