// STORE6 stores z0…z5, the lanes set in K2, to six consecutive points of
// a Winograd tile: ptr, ptr+SI, …, leaving ptr at the next point after
// them. The transforms end each row or column of points with it.
#define STORE6(ptr, z0, z1, z2, z3, z4, z5) \
	VMOVUPS z0, K2, (ptr); \
	ADDQ    SI, ptr; \
	VMOVUPS z1, K2, (ptr); \
	ADDQ    SI, ptr; \
	VMOVUPS z2, K2, (ptr); \
	ADDQ    SI, ptr; \
	VMOVUPS z3, K2, (ptr); \
	ADDQ    SI, ptr; \
	VMOVUPS z4, K2, (ptr); \
	ADDQ    SI, ptr; \
	VMOVUPS z5, K2, (ptr); \
	ADDQ    SI, ptr

// A6 sets o0…o5 to A·(d0…d3) for F(4×4, 3×3), as winoA4 does: o0 = d0,
// o1,2 = (d0 + d2) ± (d1 + d3), o3,4 = (d0 + 4d2) ± (2d1 + 8d3), o5 = d3.
// Z24, Z26 and Z27 hold 4, 2 and 8; Z12…Z15 are clobbered.
#define A6(d0, d1, d2, d3, o0, o1, o2, o3, o4, o5) \
	VMOVAPS     d0, o0; \
	VADDPS      d2, d0, Z12; \
	VADDPS      d3, d1, Z13; \
	VADDPS      Z13, Z12, o1; \
	VSUBPS      Z13, Z12, o2; \
	VMOVAPS     d0, Z14; \
	VFMADD231PS Z24, d2, Z14; \
	VMULPS      Z26, d1, Z15; \
	VFMADD231PS Z27, d3, Z15; \
	VADDPS      Z15, Z14, o3; \
	VSUBPS      Z15, Z14, o4; \
	VMOVAPS     d3, o5
