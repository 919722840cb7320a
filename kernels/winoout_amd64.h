// Macros of the Winograd output transforms (winoout_amd64.s,
// winooutsegs_amd64.s).

// AT6 sets o0…o3 to Aᵀ·(m0…m5) for F(4×4, 3×3), as winoAT6 does: with
// a, b = m1 ± m2 and c, d = m3 ± m4, o0 = m0 + a + c, o1 = b + 2d,
// o2 = a + 4c, o3 = b + 8d + m5. Z24, Z26 and Z27 hold 4, 2 and 8;
// Z12…Z15 are clobbered.
#define AT6(m0, m1, m2, m3, m4, m5, o0, o1, o2, o3) \
	VADDPS      m2, m1, Z12; \
	VSUBPS      m2, m1, Z13; \
	VADDPS      m4, m3, Z14; \
	VSUBPS      m4, m3, Z15; \
	VADDPS      Z12, m0, o0; \
	VADDPS      Z14, o0, o0; \
	VMOVAPS     Z13, o1; \
	VFMADD231PS Z26, Z15, o1; \
	VMOVAPS     Z12, o2; \
	VFMADD231PS Z24, Z14, o2; \
	VADDPS      Z13, m5, o3; \
	VFMADD231PS Z27, Z15, o3

// COLUMN transforms column l of the products (R10 at point l, R11 = 6 rows
// of points, R12 = 3·R11, R13 = 5·R11) down its six rows and stores the
// results to tmp[i][l], at (6i + l)·64 bytes; then moves R10 to point l+1.
#define COLUMN(tofs) \
	VMOVUPS.Z (R10), K2, Z0; \
	VMOVUPS.Z (R10)(R11*1), K2, Z1; \
	VMOVUPS.Z (R10)(R11*2), K2, Z2; \
	VMOVUPS.Z (R10)(R12*1), K2, Z3; \
	VMOVUPS.Z (R10)(R11*4), K2, Z4; \
	VMOVUPS.Z (R10)(R13*1), K2, Z5; \
	AT6(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9); \
	VMOVUPS Z6, (tofs+0)(R9); \
	VMOVUPS Z7, (tofs+384)(R9); \
	VMOVUPS Z8, (tofs+768)(R9); \
	VMOVUPS Z9, (tofs+1152)(R9); \
	ADDQ    SI, R10

// COLUMNS transforms the six columns of the products (R10 at point 0, SI
// bytes between points) into tmp.
#define COLUMNS \
	LEAQ (SI)(SI*2), R11; \
	ADDQ R11, R11; \
	LEAQ (R11)(R11*2), R12; \
	LEAQ (R11)(R11*4), R13; \
	COLUMN(0); \
	COLUMN(64); \
	COLUMN(128); \
	COLUMN(192); \
	COLUMN(256); \
	COLUMN(320)

// TROW transforms row i of tmp (at rofs = 384i bytes) across, leaving the
// row's four outputs of the 16 tiles in Z6…Z9.
#define TROW(rofs) \
	VMOVUPS (rofs+0)(R9), Z0; \
	VMOVUPS (rofs+64)(R9), Z1; \
	VMOVUPS (rofs+128)(R9), Z2; \
	VMOVUPS (rofs+192)(R9), Z3; \
	VMOVUPS (rofs+256)(R9), Z4; \
	VMOVUPS (rofs+320)(R9), Z5; \
	AT6(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9)

// CONSTS sets Z24, Z26 and Z27 to 4, 2 and 8 (AX is clobbered).
#define CONSTS \
	MOVL         $0x40800000, AX; \
	VPBROADCASTD AX, Z24; \
	MOVL         $0x40000000, AX; \
	VPBROADCASTD AX, Z26; \
	MOVL         $0x41000000, AX; \
	VPBROADCASTD AX, Z27

// ILEAVE adds the bias (Z28) to a row's four outputs of 16 tiles, Z6…Z9,
// and interleaves them into Z0…Z3: tile t's output j goes to 4t + j of the
// 64 values. Z20…Z23 hold the interleaving indices (winoIdx32,
// winoIdx64); Z16…Z19 are clobbered.
#define ILEAVE \
	VADDPS    Z28, Z6, Z6; \
	VADDPS    Z28, Z7, Z7; \
	VADDPS    Z28, Z8, Z8; \
	VADDPS    Z28, Z9, Z9; \
	VMOVAPS   Z6, Z16; \
	VPERMT2PS Z7, Z20, Z16; \
	VMOVAPS   Z6, Z17; \
	VPERMT2PS Z7, Z21, Z17; \
	VMOVAPS   Z8, Z18; \
	VPERMT2PS Z9, Z20, Z18; \
	VMOVAPS   Z8, Z19; \
	VPERMT2PS Z9, Z21, Z19; \
	VMOVAPS   Z16, Z0; \
	VPERMT2PD Z18, Z22, Z0; \
	VMOVAPS   Z16, Z1; \
	VPERMT2PD Z18, Z23, Z1; \
	VMOVAPS   Z17, Z2; \
	VPERMT2PD Z19, Z22, Z2; \
	VMOVAPS   Z17, Z3; \
	VPERMT2PD Z19, Z23, Z3

// ROWSTART readies the row kernels: the constants, the interleaving
// indices, and the column transforms of the products (R10 at point 0, SI
// bytes between points) into tmp, all 16 lanes.
#define ROWSTART \
	KXNORW    K2, K2, K2; \
	CONSTS; \
	VMOVDQU32 ·winoIdx32+0(SB), Z20; \
	VMOVDQU32 ·winoIdx32+64(SB), Z21; \
	VMOVDQU64 ·winoIdx64+0(SB), Z22; \
	VMOVDQU64 ·winoIdx64+64(SB), Z23; \
	COLUMNS
