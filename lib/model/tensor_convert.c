/*
 * tensor_convert.c - safetensors elements (little-endian F32, F16, BF16,
 * I64) to float32 in native order. Every float conversion is exact: F16 and
 * BF16 values are all representable in float32, subnormals, infinities and
 * NaNs included; I64 (index buffers) rounds beyond 2^24.
 */
#include <math.h>
#include <string.h>

#include "model/checkpoint.h"

static uint16_t read_le16(const unsigned char *bytes)
{
    return (uint16_t)(bytes[0] | (bytes[1] << 8));
}

static float float_from_bits(uint32_t bits)
{
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

/* IEEE binary16: 1 sign, 5 exponent (bias 15), 10 mantissa bits. */
static float half_to_float(uint16_t half)
{
    uint32_t sign = (uint32_t)(half & 0x8000u) << 16;
    uint32_t exponent = (half >> 10) & 0x1fu;
    uint32_t mantissa = half & 0x3ffu;
    if (exponent == 0x1f)
        return float_from_bits(sign | 0x7f800000u | (mantissa << 13));
    if (exponent != 0)   /* rebias 15 -> 127 */
        return float_from_bits(sign | ((exponent + 112u) << 23) | (mantissa << 13));
    float subnormal = ldexpf((float)mantissa, -24);
    return sign != 0 ? -subnormal : subnormal;
}

/* bfloat16 is the top half of a float32. */
static float bfloat_to_float(uint16_t bfloat)
{
    return float_from_bits((uint32_t)bfloat << 16);
}

static void f32_to_f32(const unsigned char *bytes, size_t elements, float *out)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(out, bytes, elements * sizeof *out);
#else
    for (size_t i = 0; i < elements; i++) {
        const unsigned char *b = bytes + 4 * i;
        out[i] = float_from_bits((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                                 (uint32_t)b[3] << 24);
    }
#endif
}

void ms_tensor_to_f32(const ms_tensor_view *tensor, float *out)
{
    const unsigned char *bytes = tensor->data;
    switch (tensor->dtype) {
    case MS_DTYPE_F32:
        f32_to_f32(bytes, tensor->elements, out);
        return;
    case MS_DTYPE_F16:
        for (size_t i = 0; i < tensor->elements; i++)
            out[i] = half_to_float(read_le16(bytes + 2 * i));
        return;
    case MS_DTYPE_BF16:
        for (size_t i = 0; i < tensor->elements; i++)
            out[i] = bfloat_to_float(read_le16(bytes + 2 * i));
        return;
    case MS_DTYPE_I64:
        for (size_t i = 0; i < tensor->elements; i++) {
            uint64_t bits = 0;
            for (int b = 7; b >= 0; b--)
                bits = bits << 8 | bytes[8 * i + (size_t)b];
            out[i] = (float)(int64_t)bits;
        }
        return;
    }
}
