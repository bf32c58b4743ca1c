#include "CImageShims.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

/// libjpeg error manager whose error_exit longjmps back into the shim instead of exiting.
typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    int truncated;
    char *message;
} fk_jpeg_error;

static void fk_jpeg_error_exit(j_common_ptr info) {
    fk_jpeg_error *err = (fk_jpeg_error *)info->err;
    if (err->message) err->base.format_message(info, err->message);
    longjmp(err->jump, 1);
}

/// Warnings are collected silently; premature end of data marks the file as truncated.
static void fk_jpeg_emit_message(j_common_ptr info, int level) {
    fk_jpeg_error *err = (fk_jpeg_error *)info->err;
    if (level < 0) {
        if (err->base.msg_code == JWRN_JPEG_EOF) err->truncated = 1;
        err->base.num_warnings++;
    }
}

static void fk_jpeg_output_message(j_common_ptr info) { (void)info; }

static void set_error(char *error, const char *text) {
    if (error) { strncpy(error, text, FK_ERROR_LENGTH - 1); error[FK_ERROR_LENGTH - 1] = 0; }
}

fk_status fk_jpeg_decode(const uint8_t *data, size_t size, size_t max_pixels,
                         fk_jpeg_image *image, char error[FK_ERROR_LENGTH]) {
    struct jpeg_decompress_struct cinfo;
    fk_jpeg_error err;
    uint8_t *volatile pixels = NULL;
    uint8_t *volatile app1 = NULL;
    memset(image, 0, sizeof(*image));
    if (error) error[0] = 0;
    if (size < 4 || size > (size_t)0xFFFFFFFFu) { set_error(error, "not a JPEG file (size)"); return FK_CORRUPT; }

    cinfo.err = jpeg_std_error(&err.base);
    err.base.error_exit = fk_jpeg_error_exit;
    err.base.emit_message = fk_jpeg_emit_message;
    err.base.output_message = fk_jpeg_output_message;
    err.truncated = 0;
    err.message = error;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        free(app1);
        return FK_CORRUPT;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&cinfo, TRUE);

    if ((size_t)cinfo.image_width * (size_t)cinfo.image_height > max_pixels) {
        snprintf(error, FK_ERROR_LENGTH, "declared size %ux%u exceeds the limit of %zu pixels",
                 cinfo.image_width, cinfo.image_height, max_pixels);
        jpeg_destroy_decompress(&cinfo);
        return FK_TOO_LARGE;
    }
    for (jpeg_saved_marker_ptr m = cinfo.marker_list; m; m = m->next) {
        if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 && memcmp(m->data, "Exif\0\0", 6) == 0) {
            app1 = malloc(m->data_length);
            if (!app1) break;
            memcpy(app1, m->data, m->data_length);
            image->app1_length = m->data_length;
            break;
        }
    }
    switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE: cinfo.out_color_space = JCS_GRAYSCALE; break;
    case JCS_CMYK: case JCS_YCCK: cinfo.out_color_space = JCS_CMYK; break;
    default: cinfo.out_color_space = JCS_RGB; break;
    }
    jpeg_start_decompress(&cinfo);
    size_t row = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
    pixels = malloc(row * cinfo.output_height);
    if (!pixels) {
        set_error(error, "out of memory");
        jpeg_destroy_decompress(&cinfo);
        free(app1);
        return FK_NO_MEMORY;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW rows[4];
        int n = 0;
        for (; n < 4 && cinfo.output_scanline + n < cinfo.output_height; n++)
            rows[n] = pixels + (size_t)(cinfo.output_scanline + n) * row;
        jpeg_read_scanlines(&cinfo, rows, (JDIMENSION)n);
        if (err.truncated) break;
    }
    if (err.truncated) {
        set_error(error, "premature end of JPEG data");
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        free(app1);
        return FK_TRUNCATED;
    }
    jpeg_finish_decompress(&cinfo);
    image->width = (int)cinfo.output_width;
    image->height = (int)cinfo.output_height;
    image->components = cinfo.output_components;
    image->saw_adobe_marker = cinfo.saw_Adobe_marker ? 1 : 0;
    image->pixels = pixels;
    image->app1 = app1;
    jpeg_destroy_decompress(&cinfo);
    return FK_OK;
}

fk_status fk_jpeg_encode(const uint8_t *pixels, int width, int height, int components,
                         int quality, uint8_t **output, size_t *output_size,
                         char error[FK_ERROR_LENGTH]) {
    struct jpeg_compress_struct cinfo;
    fk_jpeg_error err;
    unsigned char *volatile buffer = NULL;
    unsigned long length = 0;
    *output = NULL;
    *output_size = 0;
    if (error) error[0] = 0;
    if (components != 1 && components != 3) { set_error(error, "JPEG encoding needs 1 or 3 components"); return FK_CORRUPT; }

    cinfo.err = jpeg_std_error(&err.base);
    err.base.error_exit = fk_jpeg_error_exit;
    err.base.emit_message = fk_jpeg_emit_message;
    err.base.output_message = fk_jpeg_output_message;
    err.truncated = 0;
    err.message = error;
    if (setjmp(err.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        return FK_CORRUPT;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, (unsigned char **)&buffer, &length);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = components;
    cinfo.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    size_t row = (size_t)width * (size_t)components;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW rows[1] = { (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * row) };
        jpeg_write_scanlines(&cinfo, rows, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *output = buffer;
    *output_size = length;
    return FK_OK;
}

void fk_free(void *pointer) { free(pointer); }
