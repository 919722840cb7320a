//go:build !purego

#include "textflag.h"
#include "wino_amd64.h"

// GROW sets o0…o5 to G·(a, b, e) for F(4×4, 3×3): a/4, −(a+b+e)/6,
// −(a−b+e)/6, a/24 + b/12 + e/6, a/24 − b/12 + e/6, e. Z24…Z28 hold
// 1/4, −1/6, 1/24, 1/12 and 1/6; Z12, Z13 are clobbered.
#define GROW(a, b, e, o0, o1, o2, o3, o4, o5) \
	VMULPS      Z24, a, o0; \
	VADDPS      e, a, Z12; \
	VADDPS      b, Z12, o1; \
	VMULPS      Z25, o1, o1; \
	VSUBPS      b, Z12, o2; \
	VMULPS      Z25, o2, o2; \
	VMULPS      Z26, a, Z12; \
	VFMADD231PS Z28, e, Z12; \
	VMULPS      Z27, b, Z13; \
	VADDPS      Z13, Z12, o3; \
	VSUBPS      Z13, Z12, o4; \
	VMOVAPS     e, o5

// GATHERW loads filter value i (disp = 4i bytes, or 4(8−i) flipped) of
// the lanes set in R8 into dst, zero elsewhere.
#define GATHERW(disp, dst) \
	KMOVW      R8, K1; \
	VXORPS     dst, dst, dst; \
	VGATHERDPS disp(AX)(Z31*4), K1, dst

// GCOL transforms column j of the filters (values j, 3+j, 6+j in Z0…Z8)
// down, and stores (G·g)[k][j] to tmp at (3k + j)·64 bytes.
#define GCOL(a, b, e, tofs) \
	GROW(a, b, e, Z9, Z10, Z11, Z14, Z15, Z16); \
	VMOVUPS Z9, (tofs+0)(R9); \
	VMOVUPS Z10, (tofs+192)(R9); \
	VMOVUPS Z11, (tofs+384)(R9); \
	VMOVUPS Z14, (tofs+576)(R9); \
	VMOVUPS Z15, (tofs+768)(R9); \
	VMOVUPS Z16, (tofs+960)(R9)

// GROWK transforms row k of tmp (at rofs = 192k bytes) across and stores
// the points ξ = 6k…6k+5 to the lanes set in K2 at DI, DI+SI, …
#define GROWK(rofs) \
	VMOVUPS (rofs+0)(R9), Z0; \
	VMOVUPS (rofs+64)(R9), Z1; \
	VMOVUPS (rofs+128)(R9), Z2; \
	GROW(Z0, Z1, Z2, Z9, Z10, Z11, Z14, Z15, Z16); \
	STORE6(DI, Z9, Z10, Z11, Z14, Z15, Z16)

#define WCONSTS \
	MOVL $0x3e800000, R10; \
	VPBROADCASTD R10, Z24; \
	MOVL $0xbe2aaaab, R10; \
	VPBROADCASTD R10, Z25; \
	MOVL $0x3d2aaaab, R10; \
	VPBROADCASTD R10, Z26; \
	MOVL $0x3daaaaab, R10; \
	VPBROADCASTD R10, Z27; \
	MOVL $0x3e2aaaab, R10; \
	VPBROADCASTD R10, Z28

// func winoWeightsAVX512(w *float32, idx *int32, mask, smask uint16, flip bool, u *float32, us int, tmp *float32)
// transforms the 16 filters whose first values lie at w[idx[i]] (those
// of the lanes set in mask; zero in the others), rotated by 180° with
// flip, to G·g·Gᵀ, and stores point ξ of the lanes set in smask to
// u[ξ·us + i].
TEXT ·winoWeightsAVX512(SB), NOSPLIT, $0-48
	MOVQ    w+0(FP), AX
	MOVQ    idx+8(FP), BX
	MOVWLZX mask+16(FP), R8
	MOVWLZX smask+18(FP), R10
	KMOVW   R10, K2
	MOVBLZX flip+20(FP), DX
	MOVQ    u+24(FP), DI
	MOVQ    us+32(FP), SI
	SHLQ    $2, SI
	MOVQ    tmp+40(FP), R9
	KMOVW   R8, K1
	VMOVDQU32.Z (BX), K1, Z31
	WCONSTS
	TESTQ   DX, DX
	JNZ     flipped
	GATHERW(0, Z0)
	GATHERW(4, Z1)
	GATHERW(8, Z2)
	GATHERW(12, Z3)
	GATHERW(16, Z4)
	GATHERW(20, Z5)
	GATHERW(24, Z6)
	GATHERW(28, Z7)
	GATHERW(32, Z8)
	JMP     gathered

flipped:
	GATHERW(32, Z0)
	GATHERW(28, Z1)
	GATHERW(24, Z2)
	GATHERW(20, Z3)
	GATHERW(16, Z4)
	GATHERW(12, Z5)
	GATHERW(8, Z6)
	GATHERW(4, Z7)
	GATHERW(0, Z8)

gathered:
	GCOL(Z0, Z3, Z6, 0)
	GCOL(Z1, Z4, Z7, 64)
	GCOL(Z2, Z5, Z8, 128)
	GROWK(0)
	GROWK(192)
	GROWK(384)
	GROWK(576)
	GROWK(768)
	GROWK(960)
	VZEROUPPER
	RET
