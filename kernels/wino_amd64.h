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
