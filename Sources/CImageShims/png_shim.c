#include "CImageShims.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
    char *error;
    int truncated;
} fk_png_reader;

typedef struct {
    uint8_t *data;
    size_t size;
    size_t capacity;
} fk_png_writer;

static void fk_png_error(png_structp png, png_const_charp message) {
    fk_png_reader *reader = (fk_png_reader *)png_get_error_ptr(png);
    if (reader && reader->error) {
        strncpy(reader->error, message, FK_ERROR_LENGTH - 1);
        reader->error[FK_ERROR_LENGTH - 1] = 0;
    }
    png_longjmp(png, 1);
}

static void fk_png_warning(png_structp png, png_const_charp message) { (void)png; (void)message; }

static void fk_png_read(png_structp png, png_bytep out, size_t length) {
    fk_png_reader *reader = (fk_png_reader *)png_get_io_ptr(png);
    if (length > reader->size - reader->offset) {
        reader->truncated = 1;
        png_error(png, "unexpected end of PNG data");
    }
    memcpy(out, reader->data + reader->offset, length);
    reader->offset += length;
}

fk_status fk_png_decode(const uint8_t *data, size_t size, size_t max_pixels,
                        fk_png_image *image, char error[FK_ERROR_LENGTH]) {
    memset(image, 0, sizeof(*image));
    if (error) error[0] = 0;
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        if (error) strcpy(error, "missing PNG signature");
        return FK_CORRUPT;
    }
    fk_png_reader reader = { data, size, 0, error, 0 };
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, fk_png_error, fk_png_warning);
    if (!png) return FK_NO_MEMORY;
    png_infop info = png_create_info_struct(png);
    if (!info) { png_destroy_read_struct(&png, NULL, NULL); return FK_NO_MEMORY; }
    uint8_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    volatile fk_status status = FK_CORRUPT;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(pixels);
        free(rows);
        return reader.truncated ? FK_TRUNCATED : status;
    }
    png_set_read_fn(png, &reader, fk_png_read);
    png_set_user_limits(png, 1000000, 1000000);
    png_read_info(png, info);
    png_uint_32 width = png_get_image_width(png, info);
    png_uint_32 height = png_get_image_height(png, info);
    if ((size_t)width * (size_t)height > max_pixels) {
        if (error) snprintf(error, FK_ERROR_LENGTH, "declared size %ux%u exceeds the limit of %zu pixels",
                            width, height, max_pixels);
        status = FK_TOO_LARGE;
        png_longjmp(png, 1);
    }
    int color_type = png_get_color_type(png, info);
    int bit_depth = png_get_bit_depth(png, info);
    /* Deflate expands at most ~1032:1, and the image data holds at least one filter byte plus
       ceil(width * bit_depth / 8) bytes per row, so a file this short cannot hold the declared
       image: refuse it before allocating the pixels (a 100-byte file must not cost 400 MB). */
    size_t min_row = 1 + ((size_t)width * (size_t)bit_depth + 7) / 8;
    if ((size_t)height * min_row / 1032 > size - reader.offset) {
        if (error) snprintf(error, FK_ERROR_LENGTH, "%zu bytes cannot hold the declared %ux%u image",
                            size - reader.offset, width, height);
        status = FK_TRUNCATED;
        png_longjmp(png, 1);
    }
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (bit_depth == 16) png_set_swap(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    int channels = png_get_channels(png, info);
    int depth = png_get_bit_depth(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    if (row_bytes != (size_t)width * (size_t)channels * (size_t)(depth / 8)) {
        if (error) strcpy(error, "unexpected row layout after expansion");
        png_longjmp(png, 1);
    }
    pixels = malloc(row_bytes * height);
    rows = malloc(sizeof(png_bytep) * height);
    if (!pixels || !rows) {
        if (error) strcpy(error, "out of memory");
        status = FK_NO_MEMORY;
        png_longjmp(png, 1);
    }
    for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + (size_t)y * row_bytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);

    image->width = (int)width;
    image->height = (int)height;
    image->channels = channels;
    image->bit_depth = depth;
    image->pixels = pixels;
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    return FK_OK;
}

static void fk_png_write(png_structp png, png_bytep bytes, size_t length) {
    fk_png_writer *writer = (fk_png_writer *)png_get_io_ptr(png);
    if (writer->size + length > writer->capacity) {
        size_t capacity = writer->capacity ? writer->capacity : 4096;
        while (capacity < writer->size + length) capacity *= 2;
        uint8_t *grown = realloc(writer->data, capacity);
        if (!grown) png_error(png, "out of memory");
        writer->data = grown;
        writer->capacity = capacity;
    }
    memcpy(writer->data + writer->size, bytes, length);
    writer->size += length;
}

static void fk_png_flush(png_structp png) { (void)png; }

fk_status fk_png_encode(const uint8_t *pixels, int width, int height, int channels, int bit_depth,
                        uint8_t **output, size_t *output_size, char error[FK_ERROR_LENGTH]) {
    *output = NULL;
    *output_size = 0;
    if (error) error[0] = 0;
    static const int types[5] = { -1, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA };
    if (channels < 1 || channels > 4 || (bit_depth != 8 && bit_depth != 16) || width <= 0 || height <= 0) {
        if (error) strcpy(error, "unsupported PNG layout");
        return FK_CORRUPT;
    }
    fk_png_reader context = { NULL, 0, 0, error, 0 };
    fk_png_writer writer = { NULL, 0, 0 };
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &context, fk_png_error, fk_png_warning);
    if (!png) return FK_NO_MEMORY;
    png_infop info = png_create_info_struct(png);
    if (!info) { png_destroy_write_struct(&png, NULL); return FK_NO_MEMORY; }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(writer.data);
        return FK_CORRUPT;
    }
    png_set_write_fn(png, &writer, fk_png_write, fk_png_flush);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, bit_depth, types[channels],
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    if (bit_depth == 16) png_set_swap(png);
    size_t row_bytes = (size_t)width * (size_t)channels * (size_t)(bit_depth / 8);
    for (int y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(pixels + (size_t)y * row_bytes));
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    *output = writer.data;
    *output_size = writer.size;
    return FK_OK;
}
