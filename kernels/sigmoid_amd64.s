//go:build !purego

#include "textflag.h"

#define BCAST(bits, z) MOVL bits, AX; VPBROADCASTD AX, z

// func sigmoidAVX512(dst, x []float32)
// dst[i] = 1/(1 + e^−x[i]) 16 at a time (a masked last vector), from
// e = e^−|x| by sigmoid32's exp (Cephes' expf: n = ⌊−|x|·log₂e + ½⌋, a
// degree-6 polynomial of the remainder, 2ⁿ by VSCALEFPS, which also
// rounds the subnormal results), −|x| clamped at −104, below which e
// rounds to 0 anyway: dst = 1/(1+e) where x ≥ 0, e/(1+e) elsewhere and
// for NaN, which stays NaN.
TEXT ·sigmoidAVX512(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	BCAST($0x80000000, Z20) // sign bit
	BCAST($0xc2d00000, Z21) // −104
	BCAST($0x3fb8aa3b, Z22) // log₂e
	BCAST($0x3f000000, Z23) // ½
	BCAST($0x3f318000, Z24) // ln 2, high part
	BCAST($0xb95e8083, Z25) // ln 2, low part
	BCAST($0x39506967, Z10) // the polynomial, highest degree first
	BCAST($0x3ab743ce, Z11)
	BCAST($0x3c088908, Z12)
	BCAST($0x3d2aa9c1, Z13)
	BCAST($0x3e2aaaaa, Z14)
	BCAST($0x3f000000, Z15)
	BCAST($0x3f800000, Z16) // 1
	VPXORD Z17, Z17, Z17

loop:
	TESTQ CX, CX
	JLE   done
	MOVQ  $-1, AX
	CMPQ  CX, $16
	JGE   full
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX

full:
	KMOVW   AX, K2
	VMOVUPS.Z (SI), K2, Z0
	VORPS   Z20, Z0, Z1      // t = −|x|
	VMAXPS  Z1, Z21, Z1      // max(t, −104), NaN kept
	VMOVAPS Z23, Z2
	VFMADD231PS Z22, Z1, Z2  // t·log₂e + ½
	VRNDSCALEPS $1, Z2, Z2   // n, rounded down
	VFNMADD231PS Z24, Z2, Z1 // r = t − n·ln 2
	VFNMADD231PS Z25, Z2, Z1
	VMULPS  Z1, Z1, Z3       // r²
	VMOVAPS Z10, Z4
	VFMADD213PS Z11, Z1, Z4
	VFMADD213PS Z12, Z1, Z4
	VFMADD213PS Z13, Z1, Z4
	VFMADD213PS Z14, Z1, Z4
	VFMADD213PS Z15, Z1, Z4
	VFMADD213PS Z1, Z3, Z4   // p·r² + r
	VADDPS  Z16, Z4, Z4      // e^r
	VSCALEFPS Z2, Z4, Z4     // e = e^r·2ⁿ
	VADDPS  Z16, Z4, Z5      // 1 + e
	VCMPPS  $0x1d, Z17, Z0, K1 // x ≥ 0 (false for NaN)
	VMOVAPS Z16, K1, Z4      // the numerator: 1 there, e elsewhere
	VDIVPS  Z5, Z4, Z6
	VMOVUPS Z6, K2, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     loop

done:
	VZEROUPPER
	RET
