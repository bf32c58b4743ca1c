/// C shims for libjpeg and libpng.
///
/// Both libraries report fatal errors by longjmp-ing out of a callback, which Swift cannot
/// do. These functions hold the setjmp, so every failure comes back as a return code with a
/// message, and the library state is always torn down. All output buffers are allocated
/// with malloc; the caller frees them with `fk_free`.
#ifndef FK_IMAGE_SHIMS_H
#define FK_IMAGE_SHIMS_H

#include <stddef.h>
#include <stdint.h>

#define FK_ERROR_LENGTH 200

/// Outcome of a shim call.
typedef enum {
    FK_OK = 0,
    FK_CORRUPT = 1,    ///< The library rejected the data; `error` says why.
    FK_TRUNCATED = 2,  ///< The data ended early.
    FK_TOO_LARGE = 3,  ///< Declared dimensions exceed the caller's limit.
    FK_NO_MEMORY = 4,
} fk_status;

/// Pixels decoded from a JPEG file: interleaved 8-bit samples, `components` per pixel.
typedef struct {
    int width;
    int height;
    /// 1 (gray), 3 (RGB) or 4 (CMYK, as libjpeg delivers it).
    int components;
    /// Whether the file carries an Adobe APP14 marker (CMYK samples are then inverted).
    int saw_adobe_marker;
    /// The first APP1 marker's payload (Exif data starts with "Exif\0\0"), or NULL.
    uint8_t *app1;
    size_t app1_length;
    uint8_t *pixels;
} fk_jpeg_image;

/// Decodes a whole JPEG from memory. Images with more than `max_pixels` pixels are refused
/// before any pixel memory is allocated. On success the caller frees `pixels` and `app1`.
fk_status fk_jpeg_decode(const uint8_t *data, size_t size, size_t max_pixels,
                         fk_jpeg_image *image, char error[FK_ERROR_LENGTH]);

/// Encodes interleaved 8-bit gray (1) or RGB (3) pixels as a baseline JPEG.
fk_status fk_jpeg_encode(const uint8_t *pixels, int width, int height, int components,
                         int quality, uint8_t **output, size_t *output_size,
                         char error[FK_ERROR_LENGTH]);

/// Pixels decoded from a PNG file, expanded to gray, gray+alpha, RGB or RGBA.
typedef struct {
    int width;
    int height;
    /// 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA).
    int channels;
    /// 8 or 16; 16-bit samples are in native byte order.
    int bit_depth;
    uint8_t *pixels;
} fk_png_image;

/// Decodes a PNG from memory: palettes become RGB, transparency chunks become alpha, 1/2/4-bit
/// gray becomes 8-bit, 16-bit stays 16-bit; no gamma correction is applied.
fk_status fk_png_decode(const uint8_t *data, size_t size, size_t max_pixels,
                        fk_png_image *image, char error[FK_ERROR_LENGTH]);

/// Encodes interleaved samples (`bit_depth` 8, or 16 in native byte order) with 1-4 channels.
fk_status fk_png_encode(const uint8_t *pixels, int width, int height, int channels, int bit_depth,
                        uint8_t **output, size_t *output_size, char error[FK_ERROR_LENGTH]);

/// Frees a buffer returned by the functions above.
void fk_free(void *pointer);

#endif
