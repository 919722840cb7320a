//go:build !purego

#include "textflag.h"

// func packAAVX512(dst, a []float32, lda, kc, h, mr int, alpha float32)
// dst[p*mr+i] = alpha·a[i*lda+p] for i < h, 0 for h <= i < mr (mr <= 16),
// p < kc: one masked gather per column of the panel.
TEXT ·packAAVX512(SB), NOSPLIT, $0-84
	MOVQ dst_base+0(FP), DI
	MOVQ a_base+24(FP), AX
	MOVQ lda+48(FP), BX
	MOVQ kc+56(FP), CX
	MOVQ h+64(FP), R9
	MOVQ mr+72(FP), R11
	VBROADCASTSS alpha+80(FP), Z2
	// Z1 = {0, lda, 2·lda, ..., 15·lda} as int32.
	VPBROADCASTD BX, Z3
	VPMULLD ·iota16(SB), Z3, Z1
	// K3: the h rows that exist; K1: the 12 lanes of a packed column.
	MOVQ CX, R10
	MOVQ R9, CX
	MOVL $1, R8
	SHLL CX, R8
	DECL R8
	KMOVW R8, K3
	MOVQ R11, CX
	MOVL $1, R8
	SHLL CX, R8
	DECL R8
	KMOVW R8, K1
	SHLQ $2, R11
	MOVQ R10, CX
	TESTQ CX, CX
	JLE   done

loop:
	KMOVW K3, K2
	VPXORD Z0, Z0, Z0
	VGATHERDPS (AX)(Z1*4), K2, Z0
	VMULPS Z2, Z0, Z0
	VMOVUPS Z0, K1, (DI)
	ADDQ $4, AX
	ADDQ R11, DI
	DECQ CX
	JNZ  loop

done:
	VZEROUPPER
	RET

DATA ·iota16+0(SB)/4, $0
DATA ·iota16+4(SB)/4, $1
DATA ·iota16+8(SB)/4, $2
DATA ·iota16+12(SB)/4, $3
DATA ·iota16+16(SB)/4, $4
DATA ·iota16+20(SB)/4, $5
DATA ·iota16+24(SB)/4, $6
DATA ·iota16+28(SB)/4, $7
DATA ·iota16+32(SB)/4, $8
DATA ·iota16+36(SB)/4, $9
DATA ·iota16+40(SB)/4, $10
DATA ·iota16+44(SB)/4, $11
DATA ·iota16+48(SB)/4, $12
DATA ·iota16+52(SB)/4, $13
DATA ·iota16+56(SB)/4, $14
DATA ·iota16+60(SB)/4, $15
GLOBL ·iota16(SB), RODATA|NOPTR, $64

// func gatherRows32AVX512(dst, b []float32, off []int32, k int)
// dst[p*32+j] = b[off[p]+j] for p < k, j < 32: packs a 32-wide B panel
// whose rows start at arbitrary offsets (the rows of an implicit im2col).
TEXT ·gatherRows32AVX512(SB), NOSPLIT, $0-80
	MOVQ dst_base+0(FP), DI
	MOVQ b_base+24(FP), BX
	MOVQ off_base+48(FP), SI
	MOVQ k+72(FP), CX
	TESTQ CX, CX
	JLE   gdone

gloop:
	MOVLQSX (SI), R9
	VMOVUPS (BX)(R9*4), Z0
	VMOVUPS 64(BX)(R9*4), Z1
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	ADDQ $4, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  gloop

gdone:
	VZEROUPPER
	RET

// func gatherCols16AVX512(dst, src []float32, idx *[16]int32, lanes, n, dstStride int)
// dst[q*dstStride+j] = src[idx[j]+q] for q < n, j < lanes (lanes <= 16):
// packs a transposed panel, one masked gather per q.
TEXT ·gatherCols16AVX512(SB), NOSPLIT, $0-80
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), AX
	MOVQ idx+48(FP), BX
	MOVQ lanes+56(FP), CX
	MOVQ n+64(FP), DX
	MOVQ dstStride+72(FP), R8
	SHLQ $2, R8
	VMOVDQU32 (BX), Z1
	MOVL $1, R9
	SHLL CX, R9
	DECL R9
	KMOVW R9, K1
	TESTQ DX, DX
	JLE   cdone

cloop:
	KMOVW K1, K2
	VGATHERDPS (AX)(Z1*4), K2, Z0
	VMOVUPS Z0, K1, (DI)
	ADDQ $4, AX
	ADDQ R8, DI
	DECQ DX
	JNZ  cloop

cdone:
	VZEROUPPER
	RET

// func convRowAVX512(k int, a, b []float32, off []int32, c []float32)
// c[j] = Σ_{p<k} a[p]·b[off[p]+j] for j < len(c): one output channel of
// a convolution with few output channels (the input gradient of a
// one-channel layer), 128 positions per pass with the taps streamed.
TEXT ·convRowAVX512(SB), NOSPLIT, $0-104
	MOVQ k+0(FP), R12
	MOVQ a_base+8(FP), R8
	MOVQ b_base+32(FP), BX
	MOVQ off_base+56(FP), R9
	MOVQ c_base+80(FP), DI
	MOVQ c_len+88(FP), CX

r128:
	CMPQ CX, $128
	JLT  r16
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	XORQ R14, R14

r128p:
	CMPQ R14, R12
	JGE  r128s
	MOVLQSX (R9)(R14*4), R10
	LEAQ (BX)(R10*4), SI
	VBROADCASTSS (R8)(R14*4), Z8
	VFMADD231PS (SI), Z8, Z0
	VFMADD231PS 64(SI), Z8, Z1
	VFMADD231PS 128(SI), Z8, Z2
	VFMADD231PS 192(SI), Z8, Z3
	VFMADD231PS 256(SI), Z8, Z4
	VFMADD231PS 320(SI), Z8, Z5
	VFMADD231PS 384(SI), Z8, Z6
	VFMADD231PS 448(SI), Z8, Z7
	INCQ R14
	JMP  r128p

r128s:
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	VMOVUPS Z4, 256(DI)
	VMOVUPS Z5, 320(DI)
	VMOVUPS Z6, 384(DI)
	VMOVUPS Z7, 448(DI)
	ADDQ $512, DI
	ADDQ $512, BX
	SUBQ $128, CX
	JMP  r128

r16:
	CMPQ CX, $16
	JLT  rt
	VPXORD Z0, Z0, Z0
	XORQ R14, R14

r16p:
	CMPQ R14, R12
	JGE  r16s
	MOVLQSX (R9)(R14*4), R10
	VBROADCASTSS (R8)(R14*4), Z8
	VFMADD231PS (BX)(R10*4), Z8, Z0
	INCQ R14
	JMP  r16p

r16s:
	VMOVUPS Z0, (DI)
	ADDQ $64, DI
	ADDQ $64, BX
	SUBQ $16, CX
	JMP  r16

rt:
	TESTQ CX, CX
	JE    rdone2
	MOVL $1, R10
	SHLL CX, R10
	DECL R10
	KMOVW R10, K1
	VPXORD Z0, Z0, Z0
	XORQ R14, R14

rtp:
	CMPQ R14, R12
	JGE  rts
	MOVLQSX (R9)(R14*4), R10
	VBROADCASTSS (R8)(R14*4), Z8
	VMOVUPS.Z (BX)(R10*4), K1, Z9
	VFMADD231PS Z9, Z8, Z0
	INCQ R14
	JMP  rtp

rts:
	VMOVUPS Z0, K1, (DI)

rdone2:
	VZEROUPPER
	RET

// func packBRows32AVX512(dst, b []float32, ldb, kc, np int)
// Packs np full 32-column panels of a row-major B (kc rows at stride ldb)
// into dst, panel q at dst[q*kc*32:], sweeping B row by row so that its
// reads stream.
TEXT ·packBRows32AVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ b_base+24(FP), SI
	MOVQ ldb+48(FP), R8
	SHLQ $2, R8
	MOVQ kc+56(FP), CX
	MOVQ np+64(FP), R9
	MOVQ CX, R10
	SHLQ $7, R10 // panel stride in bytes: kc*32*4
	TESTQ CX, CX
	JLE   pbdone
	TESTQ R9, R9
	JLE   pbdone

pbrow:
	MOVQ SI, AX
	MOVQ DI, DX
	MOVQ R9, R11

pbpanel:
	VMOVUPS (AX), Z0
	VMOVUPS 64(AX), Z1
	VMOVUPS Z0, (DX)
	VMOVUPS Z1, 64(DX)
	ADDQ $128, AX
	ADDQ R10, DX
	DECQ R11
	JNZ  pbpanel

	ADDQ R8, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  pbrow

pbdone:
	VZEROUPPER
	RET

// func gatherRows48AVX512(dst, b []float32, off []int32, k int)
// dst[p*48+j] = b[off[p]+j] for p < k, j < 48.
TEXT ·gatherRows48AVX512(SB), NOSPLIT, $0-80
	MOVQ dst_base+0(FP), DI
	MOVQ b_base+24(FP), BX
	MOVQ off_base+48(FP), SI
	MOVQ k+72(FP), CX
	TESTQ CX, CX
	JLE   g48done

g48loop:
	MOVLQSX (SI), R9
	VMOVUPS (BX)(R9*4), Z0
	VMOVUPS 64(BX)(R9*4), Z1
	VMOVUPS 128(BX)(R9*4), Z2
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	ADDQ $4, SI
	ADDQ $192, DI
	DECQ CX
	JNZ  g48loop

g48done:
	VZEROUPPER
	RET

// func packBPanelAVX512(dst, b []float32, ldb, kc, nv int)
// dst[p*16*nv+j] = b[p*ldb+j] for p < kc, j < 16·nv (nv is 2 or 3): one
// full panel of a row-major B, packed just before the micro-kernel reads
// it. The same rows of the next panel (16·nv floats on) are prefetched
// into L2, because its rows lie a page or more apart, which the hardware
// prefetchers do not follow.
TEXT ·packBPanelAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ b_base+24(FP), SI
	MOVQ ldb+48(FP), R8
	SHLQ $2, R8
	MOVQ kc+56(FP), CX
	MOVQ nv+64(FP), R9
	TESTQ CX, CX
	JLE   ppdone
	CMPQ  R9, $3
	JEQ   pp3

pp2:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	PREFETCHT1 128(SI)
	PREFETCHT1 192(SI)
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	ADDQ R8, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  pp2
	JMP  ppdone

pp3:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	PREFETCHT1 192(SI)
	PREFETCHT1 256(SI)
	PREFETCHT1 320(SI)
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	ADDQ R8, SI
	ADDQ $192, DI
	DECQ CX
	JNZ  pp3

ppdone:
	VZEROUPPER
	RET

// func packBPanel16AVX2(dst, b []float32, ldb, kc int)
// packBPanelAVX512 for the 16-wide panels of the AVX2 tier.
TEXT ·packBPanel16AVX2(SB), NOSPLIT, $0-64
	MOVQ dst_base+0(FP), DI
	MOVQ b_base+24(FP), SI
	MOVQ ldb+48(FP), R8
	SHLQ $2, R8
	MOVQ kc+56(FP), CX
	TESTQ CX, CX
	JLE   p16done

p16:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	PREFETCHT1 64(SI)
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ R8, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  p16

p16done:
	VZEROUPPER
	RET

// func packATAVX512(dst, a []float32, lda, kc, h, mr int, alpha float32)
// dst[p*mr+i] = alpha·a[p*lda+i] for i < h, 0 for h <= i < mr (mr <= 16),
// p < kc: an mr-row panel of a transposed A, whose columns are the
// stored rows, one masked load per step of the depth.
TEXT ·packATAVX512(SB), NOSPLIT, $0-84
	MOVQ dst_base+0(FP), DI
	MOVQ a_base+24(FP), SI
	MOVQ lda+48(FP), R8
	SHLQ $2, R8
	MOVQ kc+56(FP), DX
	MOVQ h+64(FP), CX
	MOVQ mr+72(FP), R11
	VBROADCASTSS alpha+80(FP), Z2
	// K2: the h values that exist; K1: the mr lanes of a packed column.
	MOVL $1, R9
	SHLL CX, R9
	DECL R9
	KMOVW R9, K2
	MOVQ R11, CX
	MOVL $1, R9
	SHLL CX, R9
	DECL R9
	KMOVW R9, K1
	SHLQ $2, R11
	TESTQ DX, DX
	JLE   atdone

atloop:
	VMOVUPS.Z (SI), K2, Z0
	VMULPS Z2, Z0, Z0
	VMOVUPS Z0, K1, (DI)
	ADDQ R8, SI
	ADDQ R11, DI
	DECQ DX
	JNZ  atloop

atdone:
	VZEROUPPER
	RET
