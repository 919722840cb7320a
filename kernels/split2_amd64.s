//go:build !purego

#include "textflag.h"
#include "pairs_amd64.h"

// func split2AVX512(a, b, src []float32)
// sets a[i] = src[2i] and b[i] = src[2i+1] for i < len(a); the caller
// guarantees len(b) ≥ len(a) and len(src) ≥ 2·len(a).
TEXT ·split2AVX512(SB), NOSPLIT, $0-72
	MOVQ      a_base+0(FP), DI
	MOVQ      a_len+8(FP), CX
	MOVQ      b_base+24(FP), SI
	MOVQ      src_base+48(FP), AX
	VMOVDQU32 ·evenIdx(SB), Z28
	VMOVDQU32 ·oddIdx(SB), Z29

loop:
	CMPQ      CX, $16
	JLT       tail
	VMOVUPS   (AX), Z0
	VMOVUPS   64(AX), Z1
	PAIRPERM
	VMOVUPS   Z2, (DI)
	VMOVUPS   Z0, (SI)
	ADDQ      $128, AX
	ADDQ      $64, DI
	ADDQ      $64, SI
	SUBQ      $16, CX
	JMP       loop

tail:
	// CX < 16 pairs: K1 the outputs, K2 and K3 the 2·CX inputs.
	TESTQ     CX, CX
	JEQ       done
	PAIRMASKS
	VMOVUPS.Z (AX), K2, Z0
	VMOVUPS.Z 64(AX), K3, Z1
	PAIRPERM
	VMOVUPS   Z2, K1, (DI)
	VMOVUPS   Z0, K1, (SI)

done:
	VZEROUPPER
	RET
