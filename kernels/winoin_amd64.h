// The input transform's steps, shared by winoin_amd64.s and
// winoinsegs_amd64.s.

// BT6 sets o0…o5 to Bᵀ·(d0…d5) for F(4×4, 3×3), as winoBT6 does:
// o0 = d4 + 4d0 − 5d2, o1,2 = (d4 − 4d2) ± (d3 − 4d1),
// o3,4 = (d4 − d2) ± 2(d3 − d1), o5 = d5 + 4d1 − 5d3.
// Z24 holds 4 and Z25 5 in every lane; Z12 is clobbered.
#define BT6(d0, d1, d2, d3, d4, d5, o0, o1, o2, o3, o4, o5) \
	VMOVAPS      d4, o0;  \
	VFMADD231PS  Z24, d0, o0; \
	VFNMADD231PS Z25, d2, o0; \
	VMOVAPS      d4, o1;  \
	VFNMADD231PS Z24, d2, o1; \
	VMOVAPS      d3, o2;  \
	VFNMADD231PS Z24, d1, o2; \
	VSUBPS       o2, o1, Z12; \
	VADDPS       o2, o1, o1; \
	VMOVAPS      Z12, o2; \
	VSUBPS       d2, d4, o3; \
	VSUBPS       d1, d3, o4; \
	VADDPS       o4, o4, o4; \
	VSUBPS       o4, o3, Z12; \
	VADDPS       o4, o3, o3; \
	VMOVAPS      Z12, o4; \
	VMOVAPS      d5, o5;  \
	VFMADD231PS  Z24, d1, o5; \
	VFNMADD231PS Z25, d3, o5

// DEINT deinterleaves the 64 values in Z0…Z3 by fours: Z16…Z19 get the
// values 4t, 4t+1, 4t+2 and 4t+3 for t < 16 (evenIdx and oddIdx pick
// the even and odd values of two vectors; Z28, Z29 hold them).
#define DEINT \
	VMOVAPS   Z0, Z20; \
	VPERMT2PS Z1, Z28, Z20; \
	VMOVAPS   Z0, Z21; \
	VPERMT2PS Z1, Z29, Z21; \
	VMOVAPS   Z2, Z22; \
	VPERMT2PS Z3, Z28, Z22; \
	VMOVAPS   Z2, Z23; \
	VPERMT2PS Z3, Z29, Z23; \
	VMOVAPS   Z20, Z16; \
	VPERMT2PS Z22, Z28, Z16; \
	VMOVAPS   Z20, Z18; \
	VPERMT2PS Z22, Z29, Z18; \
	VMOVAPS   Z21, Z17; \
	VPERMT2PS Z23, Z28, Z17; \
	VMOVAPS   Z21, Z19; \
	VPERMT2PS Z23, Z29, Z19

// LCOL transforms column l of tmp (at cofs = 64l bytes) down its six rows,
// with Bᵀ, and stores the points ξ = 6k + l to DI + (6k + l)·SI.
#define LCOL(cofs) \
	VMOVUPS (cofs+0)(R9), Z0; \
	VMOVUPS (cofs+384)(R9), Z1; \
	VMOVUPS (cofs+768)(R9), Z2; \
	VMOVUPS (cofs+1152)(R9), Z3; \
	VMOVUPS (cofs+1536)(R9), Z4; \
	VMOVUPS (cofs+1920)(R9), Z5; \
	BT6(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11); \
	VMOVUPS Z6, (AX); \
	VMOVUPS Z7, (AX)(R10*1); \
	VMOVUPS Z8, (AX)(R10*2); \
	VMOVUPS Z9, (AX)(R11*1); \
	VMOVUPS Z10, (AX)(R10*4); \
	VMOVUPS Z11, (AX)(R12*1); \
	ADDQ SI, AX

// SEGLOAD loads vector vec (bit = 1<<vec) of a row of tiles laid out in
// runs (winoInSegs, winoDySegs) into dst: from its primary run through
// its mask, then, where the layout's hasS has bit set, merged with its
// second run's values. R14 is the row's start, R12 the byte offset of the
// row's masks; the includer defines SEGS_MASKP, SEGS_OFFP, SEGS_MASKS,
// SEGS_OFFS and SEGS_HASS. lbl must be a label of its own.
#define SEGLOAD(vec, bit, dst, lbl) \
	KMOVW     (SEGS_MASKP+2*vec)(BX)(R12*1), K1; \
	MOVQ      (SEGS_OFFP+8*vec)(BX), R13; \
	VMOVUPS.Z (R14)(R13*1), K1, dst; \
	TESTW     $bit, SEGS_HASS(BX); \
	JZ        lbl; \
	KMOVW     (SEGS_MASKS+2*vec)(BX)(R12*1), K1; \
	MOVQ      (SEGS_OFFS+8*vec)(BX), R13; \
	VMOVUPS   (R14)(R13*1), K1, dst; \
lbl:

// BT6CONSTS sets Z24 and Z25 to 4 and 5 in every lane, the factors of
// BT6 (R10 is scratch).
#define BT6CONSTS \
	MOVL         $0x40800000, R10; \
	VPBROADCASTD R10, Z24; \
	MOVL         $0x40a00000, R10; \
	VPBROADCASTD R10, Z25

// DEINTIDX loads the indices of DEINT: even lanes into Z28, odd into Z29.
#define DEINTIDX \
	VMOVDQU32 ·evenIdx(SB), Z28; \
	VMOVDQU32 ·oddIdx(SB), Z29
