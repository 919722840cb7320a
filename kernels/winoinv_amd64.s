//go:build !purego

#include "textflag.h"

// Gᵀ's fractions as float64: 1/4, 1/6, 1/12 and 1/24.
DATA winoInvC<>+0(SB)/8, $0x3FD0000000000000
DATA winoInvC<>+8(SB)/8, $0x3FC5555555555555
DATA winoInvC<>+16(SB)/8, $0x3FB5555555555555
DATA winoInvC<>+24(SB)/8, $0x3FA5555555555555
GLOBL winoInvC<>(SB), RODATA|NOPTR, $32

// GT6 is winoGT6 on eight lanes of float64, operation for operation:
// Z26–Z29 hold 1/4, 1/6, 1/12 and 1/24; Z6, Z7, Z30 and Z31 are
// scratch, and s1, s2 and s3 are overwritten.
#define GT6(s0, s1, s2, s3, s4, s5, o0, o1, o2) \
	VADDPD s2, s1, Z6; \
	VSUBPD s2, s1, Z7; \
	VADDPD s4, s3, Z30; \
	VSUBPD s4, s3, Z31; \
	VMULPD Z26, s0, o0; \
	VMULPD Z27, Z6, s1; \
	VSUBPD s1, o0, o0; \
	VMULPD Z29, Z30, s2; \
	VADDPD s2, o0, o0; \
	VMULPD Z28, Z31, o1; \
	VMULPD Z27, Z7, s2; \
	VSUBPD s2, o1, o1; \
	VSUBPD Z6, Z30, s3; \
	VMULPD Z27, s3, s3; \
	VADDPD s5, s3, o2

// COL loads column l of S (points l, 6+l, …, 30+l; DI at point l, R10
// at point 18+l, R9 six points' bytes) as float64 and applies Gᵀ, then
// steps DI and R10 to the next column.
#define COL(o0, o1, o2) \
	VCVTPS2PD (DI), Z0; \
	VCVTPS2PD (DI)(R9*1), Z1; \
	VCVTPS2PD (DI)(R9*2), Z2; \
	VCVTPS2PD (R10), Z3; \
	VCVTPS2PD (R10)(R9*1), Z4; \
	VCVTPS2PD (R10)(R9*2), Z5; \
	GT6(Z0, Z1, Z2, Z3, Z4, Z5, o0, o1, o2); \
	ADDQ R8, DI; \
	ADDQ R8, R10

// ROW applies Gᵀ across row k of Gᵀ·S (six registers) and stores the
// filter row's three taps, rounded to float32, at off(DX).
#define ROW(a0, a1, a2, a3, a4, a5, off) \
	GT6(a0, a1, a2, a3, a4, a5, Z0, Z1, Z2); \
	VCVTPD2PS Z0, Y0; \
	VCVTPD2PS Z1, Y1; \
	VCVTPD2PS Z2, Y2; \
	VMOVUPS Y0, off(DX); \
	VMOVUPS Y1, off+32(DX); \
	VMOVUPS Y2, off+64(DX)

// func winoInv8AVX512(s *float32, ld int, t *[72]float32)
// Gᵀ·S·G for 8 filters: the 6 columns of S first, into Gᵀ·S (rows 0, 1
// and 2 in Z8–Z13, Z14–Z19 and Z20–Z25), then its 3 rows.
TEXT ·winoInv8AVX512(SB), NOSPLIT, $0-24
	MOVQ s+0(FP), DI
	MOVQ ld+8(FP), R8
	MOVQ t+16(FP), DX
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	SHLQ $1, R9
	LEAQ (DI)(R9*2), R10
	ADDQ R9, R10
	VBROADCASTSD winoInvC<>+0(SB), Z26
	VBROADCASTSD winoInvC<>+8(SB), Z27
	VBROADCASTSD winoInvC<>+16(SB), Z28
	VBROADCASTSD winoInvC<>+24(SB), Z29
	COL(Z8, Z14, Z20)
	COL(Z9, Z15, Z21)
	COL(Z10, Z16, Z22)
	COL(Z11, Z17, Z23)
	COL(Z12, Z18, Z24)
	COL(Z13, Z19, Z25)
	ROW(Z8, Z9, Z10, Z11, Z12, Z13, 0)
	ROW(Z14, Z15, Z16, Z17, Z18, Z19, 96)
	ROW(Z20, Z21, Z22, Z23, Z24, Z25, 192)
	VZEROUPPER
	RET
