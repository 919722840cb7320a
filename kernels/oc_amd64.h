// Macros of the output-channel kernels (convoc_amd64.s, convocs_amd64.s,
// convocdw_amd64.s): 24 accumulators Z0–Z23, stored to the tile t (the
// argument at 56(FP)) in order, a vector each.

// OCACC loads the accumulators from t where acc (64(FP)) is set and
// zeroes them otherwise, by masked loads whose masked-off lanes read
// nothing: no branch.
#define OCACC \
	MOVQ  acc+64(FP), CX; \
	NEGQ  CX; \
	SBBL  CX, CX; \
	KMOVW CX, K1; \
	MOVQ  t+56(FP), DI; \
	VMOVUPS.Z 0(DI), K1, Z0; \
	VMOVUPS.Z 64(DI), K1, Z1; \
	VMOVUPS.Z 128(DI), K1, Z2; \
	VMOVUPS.Z 192(DI), K1, Z3; \
	VMOVUPS.Z 256(DI), K1, Z4; \
	VMOVUPS.Z 320(DI), K1, Z5; \
	VMOVUPS.Z 384(DI), K1, Z6; \
	VMOVUPS.Z 448(DI), K1, Z7; \
	VMOVUPS.Z 512(DI), K1, Z8; \
	VMOVUPS.Z 576(DI), K1, Z9; \
	VMOVUPS.Z 640(DI), K1, Z10; \
	VMOVUPS.Z 704(DI), K1, Z11; \
	VMOVUPS.Z 768(DI), K1, Z12; \
	VMOVUPS.Z 832(DI), K1, Z13; \
	VMOVUPS.Z 896(DI), K1, Z14; \
	VMOVUPS.Z 960(DI), K1, Z15; \
	VMOVUPS.Z 1024(DI), K1, Z16; \
	VMOVUPS.Z 1088(DI), K1, Z17; \
	VMOVUPS.Z 1152(DI), K1, Z18; \
	VMOVUPS.Z 1216(DI), K1, Z19; \
	VMOVUPS.Z 1280(DI), K1, Z20; \
	VMOVUPS.Z 1344(DI), K1, Z21; \
	VMOVUPS.Z 1408(DI), K1, Z22; \
	VMOVUPS.Z 1472(DI), K1, Z23

// OCSTORE stores the accumulators to t and returns.
#define OCSTORE \
	MOVQ t+56(FP), DI; \
	VMOVUPS Z0, 0(DI); \
	VMOVUPS Z1, 64(DI); \
	VMOVUPS Z2, 128(DI); \
	VMOVUPS Z3, 192(DI); \
	VMOVUPS Z4, 256(DI); \
	VMOVUPS Z5, 320(DI); \
	VMOVUPS Z6, 384(DI); \
	VMOVUPS Z7, 448(DI); \
	VMOVUPS Z8, 512(DI); \
	VMOVUPS Z9, 576(DI); \
	VMOVUPS Z10, 640(DI); \
	VMOVUPS Z11, 704(DI); \
	VMOVUPS Z12, 768(DI); \
	VMOVUPS Z13, 832(DI); \
	VMOVUPS Z14, 896(DI); \
	VMOVUPS Z15, 960(DI); \
	VMOVUPS Z16, 1024(DI); \
	VMOVUPS Z17, 1088(DI); \
	VMOVUPS Z18, 1152(DI); \
	VMOVUPS Z19, 1216(DI); \
	VMOVUPS Z20, 1280(DI); \
	VMOVUPS Z21, 1344(DI); \
	VMOVUPS Z22, 1408(DI); \
	VMOVUPS Z23, 1472(DI); \
	VZEROUPPER; \
	RET

// OCTAP starts the channel loop of one tap: R13 at the tap's first input
// (AX + 4·taps[0], SI at the tap's pair), DI at its weights (w +
// 4·taps[1]) and CX the channel count, jumping to next when it is zero.
#define OCTAP(next) \
	MOVLQSX 0(SI), R13; \
	LEAQ    (AX)(R13*4), R13; \
	MOVLQSX 4(SI), DI; \
	SHLQ    $2, DI; \
	ADDQ    w+48(FP), DI; \
	MOVQ    cin+32(FP), CX; \
	TESTQ   CX, CX; \
	JLE     next

// OCOFFS4 loads 4 int32 offsets from (R13) into R8–R11 as byte offsets;
// OCOFFS6 6 of them, the last two into R12 and R14.
#define OCOFFS4 \
	MOVLQSX 0(R13), R8; \
	MOVLQSX 4(R13), R9; \
	MOVLQSX 8(R13), R10; \
	MOVLQSX 12(R13), R11; \
	SHLQ    $2, R8; \
	SHLQ    $2, R9; \
	SHLQ    $2, R10; \
	SHLQ    $2, R11

#define OCOFFS6 \
	OCOFFS4; \
	MOVLQSX 16(R13), R12; \
	MOVLQSX 20(R13), R14; \
	SHLQ    $2, R12; \
	SHLQ    $2, R14

// OCRUN starts a run of the weight-gradient kernels (convocdw_amd64.s):
// R13 at its first input (AX + 4·runs[0], SI at the run's triple), DI at
// its output gradients (dyT + 4·runs[1]) and CX its length, jumping to
// next when it is zero.
#define OCRUN(next) \
	MOVLQSX 0(SI), R13; \
	LEAQ    (AX)(R13*4), R13; \
	MOVLQSX 4(SI), DI; \
	SHLQ    $2, DI; \
	ADDQ    dyT+40(FP), DI; \
	MOVLQSX 8(SI), CX; \
	TESTQ   CX, CX; \
	JLE     next
