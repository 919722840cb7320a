// The ReLU kernels' loops, shared by the kernels that store through the
// cache (mem_amd64.s) and those that store non-temporally
// (relunt_amd64.s): st is the store of whole vectors, VMOVUPS or
// VMOVNTPS; a tail of fewer than 16 is always stored through the cache.
// Z31 holds zeros; the labels are the includer's.

// RELUTAIL sets K1 to the low CX bits (CX < 16).
#define RELUTAIL \
	MOVL  $1, R10; \
	SHLL  CX, R10; \
	DECL  R10; \
	KMOVW R10, K1

// RELULOOPS sets DI's CX values to max(0, x) of SI's, with x second so
// that a NaN x is passed through.
#define RELULOOPS(st, loop4, loop1, tail, done) \
loop4: \
	CMPQ   CX, $64; \
	JLT    loop1; \
	VMAXPS (SI), Z31, Z0; \
	VMAXPS 64(SI), Z31, Z1; \
	VMAXPS 128(SI), Z31, Z2; \
	VMAXPS 192(SI), Z31, Z3; \
	st     Z0, (DI); \
	st     Z1, 64(DI); \
	st     Z2, 128(DI); \
	st     Z3, 192(DI); \
	ADDQ   $256, SI; \
	ADDQ   $256, DI; \
	SUBQ   $64, CX; \
	JMP    loop4; \
loop1: \
	CMPQ   CX, $16; \
	JLT    tail; \
	VMAXPS (SI), Z31, Z0; \
	st     Z0, (DI); \
	ADDQ   $64, SI; \
	ADDQ   $64, DI; \
	SUBQ   $16, CX; \
	JMP    loop1; \
tail: \
	TESTQ  CX, CX; \
	JE     done; \
	RELUTAIL; \
	VMOVUPS.Z (SI), K1, Z0; \
	VMAXPS Z0, Z31, Z0; \
	VMOVUPS Z0, K1, (DI)

// RELUBACKLOOPS sets DI's CX values to DX's where SI's are above zero,
// else zero (a NaN gives zero).
#define RELUBACKLOOPS(st, loop, tail, done) \
loop: \
	CMPQ   CX, $16; \
	JLT    tail; \
	VCMPPS $0x11, (SI), Z31, K2; \
	VMOVUPS.Z (DX), K2, Z0; \
	st     Z0, (DI); \
	ADDQ   $64, SI; \
	ADDQ   $64, DX; \
	ADDQ   $64, DI; \
	SUBQ   $16, CX; \
	JMP    loop; \
tail: \
	TESTQ  CX, CX; \
	JE     done; \
	RELUTAIL; \
	VMOVUPS.Z (SI), K1, Z1; \
	VCMPPS $0x11, Z1, Z31, K1, K2; \
	VMOVUPS.Z (DX), K2, Z0; \
	VMOVUPS Z0, K1, (DI)
