// PNG through libpng, from and to memory. Each entry point owns its png_struct, sets a
// setjmp point before the first libpng call, and turns a longjmp into a status.
#include "codecs_common.h"
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>

/// Memory source plus the error state libpng's callbacks report into.
typedef struct {
    const uint8_t *data;
    size_t size;
    size_t position;
    int truncated;
    char message[200];
} png_reader;

static void loupe_png_error(png_structp png, png_const_charp message) {
    png_reader *reader = (png_reader *)png_get_error_ptr(png);
    snprintf(reader->message, sizeof reader->message, "%s", message);
    png_longjmp(png, 1);
}

// Warnings (unknown ancillary chunks, gamma oddities) never stop a decode and are not shown.
static void loupe_png_warning(png_structp png, png_const_charp message) {
    (void)png; (void)message;
}

static void loupe_png_read(png_structp png, png_bytep destination, size_t length) {
    png_reader *reader = (png_reader *)png_get_io_ptr(png);
    if (length > reader->size - reader->position) {
        reader->truncated = 1;
        png_error(png, "the data ends early");
    }
    memcpy(destination, reader->data + reader->position, length);
    reader->position += length;
}

int loupe_png_decode(const uint8_t *data, size_t size, uint32_t width, uint32_t height,
                     int channels, uint8_t *out, size_t out_size, loupe_codec_status *status) {
    if ((channels != 1 && channels != 3) || out_size != (size_t)width * height * channels)
        return loupe_fail(status, LOUPE_CODEC_BAD_ARGUMENT, "output buffer does not match the geometry");
    png_reader reader = { data, size, 0, 0, {0} };
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, loupe_png_error, loupe_png_warning);
    if (!png) return loupe_fail(status, LOUPE_CODEC_NO_MEMORY, "out of memory");
    png_infop info = png_create_info_struct(png);
    // Row pointers are malloc'd after setjmp; volatile so the cleanup path sees the value.
    png_bytep *volatile rows = NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        return loupe_fail(status, LOUPE_CODEC_NO_MEMORY, "out of memory");
    }
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return loupe_fail(status, reader.truncated ? LOUPE_CODEC_TRUNCATED : LOUPE_CODEC_CORRUPT, reader.message);
    }
    png_set_read_fn(png, &reader, loupe_png_read);
    // Every chunk's CRC is checked (ancillary ones too): a damaged file is refused, not guessed at.
    png_set_crc_action(png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
    png_set_user_limits(png, width, height);
    png_read_info(png, info);
    if (png_get_image_width(png, info) != width || png_get_image_height(png, info) != height)
        png_error(png, "the header changed between reads");

    int color_type = png_get_color_type(png, info);
    int bit_depth = png_get_bit_depth(png, info);
    if (bit_depth == 16) png_set_strip_16(png);  // keeps the high byte, as Pillow does
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    // palette_to_rgb also turns tRNS into an alpha channel; strip_alpha removes either kind.
    png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if ((int)png_get_channels(png, info) != channels || png_get_bit_depth(png, info) != 8 ||
        png_get_rowbytes(png, info) != (size_t)width * channels)
        png_error(png, "unexpected pixel layout after conversion");

    rows = malloc(sizeof(png_bytep) * (height ? height : 1));
    if (!rows) png_error(png, "out of memory");
    for (uint32_t y = 0; y < height; y++) rows[y] = out + (size_t)y * width * channels;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    return loupe_succeed(status);
}

/// Growable memory sink for the encoder.
typedef struct {
    uint8_t *bytes;
    size_t count;
    size_t capacity;
    char message[200];
} png_writer;

static void loupe_png_write_error(png_structp png, png_const_charp message) {
    png_writer *writer = (png_writer *)png_get_error_ptr(png);
    snprintf(writer->message, sizeof writer->message, "%s", message);
    png_longjmp(png, 1);
}

static void loupe_png_write(png_structp png, png_bytep source, size_t length) {
    png_writer *writer = (png_writer *)png_get_io_ptr(png);
    if (length > writer->capacity - writer->count) {
        size_t capacity = writer->capacity ? writer->capacity : 4096;
        while (capacity - writer->count < length) capacity *= 2;
        uint8_t *grown = realloc(writer->bytes, capacity);
        if (!grown) png_error(png, "out of memory");
        writer->bytes = grown;
        writer->capacity = capacity;
    }
    memcpy(writer->bytes + writer->count, source, length);
    writer->count += length;
}

static void loupe_png_flush(png_structp png) { (void)png; }

int loupe_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels,
                     int interlaced, uint8_t **out, size_t *out_size, loupe_codec_status *status) {
    *out = NULL;
    *out_size = 0;
    int color_type;
    switch (channels) {
    case 1: color_type = PNG_COLOR_TYPE_GRAY; break;
    case 3: color_type = PNG_COLOR_TYPE_RGB; break;
    case 4: color_type = PNG_COLOR_TYPE_RGB_ALPHA; break;
    default: return loupe_fail(status, LOUPE_CODEC_BAD_ARGUMENT, "PNG encoding takes 1, 3 or 4 channels");
    }
    if (width == 0 || height == 0 || width > PNG_UINT_31_MAX || height > PNG_UINT_31_MAX)
        return loupe_fail(status, LOUPE_CODEC_BAD_ARGUMENT, "a PNG must be at least 1x1 pixels");
    png_writer writer = { NULL, 0, 0, {0} };
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &writer, loupe_png_write_error, loupe_png_warning);
    if (!png) return loupe_fail(status, LOUPE_CODEC_NO_MEMORY, "out of memory");
    png_infop info = png_create_info_struct(png);
    png_bytep *volatile rows = NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return loupe_fail(status, LOUPE_CODEC_NO_MEMORY, "out of memory");
    }
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        free(writer.bytes);
        png_destroy_write_struct(&png, &info);
        return loupe_fail(status, LOUPE_CODEC_CORRUPT, writer.message);
    }
    png_set_write_fn(png, &writer, loupe_png_write, loupe_png_flush);
    // Fixed settings: the same pixels always give the same bytes (golden files, diffs).
    png_set_compression_level(png, 6);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_PAETH);
    png_set_IHDR(png, info, width, height, 8, color_type,
                 interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
    rows = malloc(sizeof(png_bytep) * height);
    if (!rows) png_error(png, "out of memory");
    for (uint32_t y = 0; y < height; y++) rows[y] = (png_bytep)pixels + (size_t)y * width * channels;
    png_set_rows(png, info, rows);
    png_write_png(png, info, PNG_TRANSFORM_IDENTITY, NULL);
    free(rows);
    png_destroy_write_struct(&png, &info);
    *out = writer.bytes;
    *out_size = writer.count;
    return loupe_succeed(status);
}

void loupe_codec_free(void *buffer) { free(buffer); }
