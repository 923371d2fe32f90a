// JPEG through libjpeg(-turbo), from and to memory. libjpeg's default error_exit calls exit()
// and its end-of-data handling only warns and pads with grey; both are replaced here so that
// every failure comes back as a status.
#include "codecs_common.h"
#include <jpeglib.h>
#include <jerror.h>
#include <setjmp.h>
#include <stdlib.h>

typedef struct {
    struct jpeg_error_mgr manager;  // first member: libjpeg hands back a pointer to it
    jmp_buf jump;
    int truncated;
    char message[JMSG_LENGTH_MAX];
} jpeg_failure;

static void loupe_jpeg_error_exit(j_common_ptr cinfo) {
    jpeg_failure *failure = (jpeg_failure *)cinfo->err;
    cinfo->err->format_message(cinfo, failure->message);
    longjmp(failure->jump, 1);
}

// A premature end of data is fatal (the rest of the picture would be invented grey);
// other warnings, such as stray bytes before a marker, are tolerated as other decoders do.
static void loupe_jpeg_emit_message(j_common_ptr cinfo, int level) {
    if (level == -1 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
        jpeg_failure *failure = (jpeg_failure *)cinfo->err;
        failure->truncated = 1;
        cinfo->err->format_message(cinfo, failure->message);
        longjmp(failure->jump, 1);
    }
}

static void loupe_jpeg_install(jpeg_failure *failure) {
    jpeg_std_error(&failure->manager);
    failure->manager.error_exit = loupe_jpeg_error_exit;
    failure->manager.emit_message = loupe_jpeg_emit_message;
    failure->truncated = 0;
    failure->message[0] = 0;
}

static int loupe_jpeg_failed(jpeg_failure *failure, loupe_codec_status *status) {
    int message = failure->manager.msg_code;
    int code = failure->truncated ? LOUPE_CODEC_TRUNCATED
             : message == JERR_OUT_OF_MEMORY ? LOUPE_CODEC_NO_MEMORY
             // Valid JPEG variants this libjpeg build does not decode (12-bit, lossless).
             : message == JERR_BAD_PRECISION || message == JERR_SOF_UNSUPPORTED ? LOUPE_CODEC_UNSUPPORTED
             : LOUPE_CODEC_CORRUPT;
    return loupe_fail(status, code, failure->message);
}

int loupe_jpeg_read_header(const uint8_t *data, size_t size, loupe_jpeg_header *header,
                           loupe_codec_status *status) {
    struct jpeg_decompress_struct cinfo;
    jpeg_failure failure;
    loupe_jpeg_install(&failure);
    cinfo.err = &failure.manager;
    cinfo.mem = NULL;  // jpeg_destroy_* is then safe even if jpeg_create_* fails part way
    if (setjmp(failure.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return loupe_jpeg_failed(&failure, status);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    header->width = cinfo.image_width;
    header->height = cinfo.image_height;
    header->components = cinfo.num_components;
    header->color_space = cinfo.jpeg_color_space;
    header->adobe_marker = cinfo.saw_Adobe_marker;
    header->progressive = cinfo.progressive_mode;
    jpeg_destroy_decompress(&cinfo);
    return loupe_succeed(status);
}

int loupe_jpeg_decode(const uint8_t *data, size_t size, int channels, uint8_t *out,
                      size_t out_size, loupe_codec_status *status) {
    return loupe_jpeg_decode_scaled(data, size, channels, 1, out, out_size, status);
}

int loupe_jpeg_decode_scaled(const uint8_t *data, size_t size, int channels, int scale_denom, uint8_t *out,
                             size_t out_size, loupe_codec_status *status) {
    if (scale_denom != 1 && scale_denom != 2 && scale_denom != 4 && scale_denom != 8) {
        return loupe_fail(status, LOUPE_CODEC_BAD_ARGUMENT, "JPEG scaling is by 1/1, 1/2, 1/4 or 1/8");
    }
    struct jpeg_decompress_struct cinfo;
    jpeg_failure failure;
    loupe_jpeg_install(&failure);
    cinfo.err = &failure.manager;
    cinfo.mem = NULL;  // jpeg_destroy_* is then safe even if jpeg_create_* fails part way
    if (setjmp(failure.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return loupe_jpeg_failed(&failure, status);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    switch (channels) {
    case 1: cinfo.out_color_space = JCS_GRAYSCALE; break;
    case 3: cinfo.out_color_space = JCS_RGB; break;
    case 4: cinfo.out_color_space = JCS_CMYK; break;
    default:
        jpeg_destroy_decompress(&cinfo);
        return loupe_fail(status, LOUPE_CODEC_BAD_ARGUMENT, "JPEG decoding gives 1, 3 or 4 channels");
    }
    // The defaults (accurate integer IDCT, fancy upsampling) are also Pillow's. A scale of 1/N
    // makes the IDCT produce 8/N pixels per 8x8 block (Pillow's draft mode): a smaller picture for
    // a fraction of the work, output ceil(width / N) x ceil(height / N).
    cinfo.scale_num = 1;
    cinfo.scale_denom = (unsigned int)scale_denom;
    jpeg_start_decompress(&cinfo);
    size_t stride = (size_t)cinfo.output_width * cinfo.output_components;
    if (cinfo.output_components != channels || stride * cinfo.output_height != out_size) {
        jpeg_destroy_decompress(&cinfo);
        return loupe_fail(status, LOUPE_CODEC_BAD_ARGUMENT, "output buffer does not match the geometry");
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = out + (size_t)cinfo.output_scanline * stride;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return loupe_succeed(status);
}

int loupe_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels,
                      int quality, uint8_t **out, size_t *out_size, loupe_codec_status *status) {
    *out = NULL;
    *out_size = 0;
    if (channels != 1 && channels != 3)
        return loupe_fail(status, LOUPE_CODEC_BAD_ARGUMENT, "JPEG encoding takes 1 or 3 channels");
    if (width == 0 || height == 0 || width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION)
        return loupe_fail(status, LOUPE_CODEC_BAD_ARGUMENT, "a JPEG must be 1 to 65500 pixels on each side");
    struct jpeg_compress_struct cinfo;
    jpeg_failure failure;
    loupe_jpeg_install(&failure);
    cinfo.err = &failure.manager;
    cinfo.mem = NULL;
    // jpeg_mem_dest owns and grows this buffer; it lives in memory so the error path can free it.
    unsigned char *volatile buffer = NULL;
    unsigned long buffer_size = 0;
    if (setjmp(failure.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        return loupe_jpeg_failed(&failure, status);
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, (unsigned char **)&buffer, &buffer_size);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = channels;
    cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    size_t stride = (size_t)width * channels;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)pixels + (size_t)cinfo.next_scanline * stride;
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = buffer;
    *out_size = buffer_size;
    return loupe_succeed(status);
}
