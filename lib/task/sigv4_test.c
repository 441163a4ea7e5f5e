/*
 * Known answers for the SigV4 signer (lib/task/http_sigv4.c), which the test
 * server uses to check every request libcurl signs. Vectors: AWS's SigV4
 * test suite (aws-sig-v4-test-suite, "get-vanilla", "post-vanilla",
 * "get-vanilla-query-order" style cases with key AKIDEXAMPLE at
 * 20150830T123600Z) and the IAM user guide's ListUsers example.
 */
#include "task/http_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/test.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

static const char *const vanilla_headers[] = {
	"Host", "example.amazonaws.com", "X-Amz-Date", "20150830T123600Z", NULL,
};
static const char *const iam_headers[] = {
	"content-type", "application/x-www-form-urlencoded; charset=utf-8",
	"host",		"iam.amazonaws.com",
	"x-amz-date",	"20150830T123600Z",
	NULL,
};

static const struct {
	const char *label;
	struct sfn_sigv4_req req;
	const char *want;
} cases[] = {
	{ "get-vanilla",
	  { .method = "GET",
	    .path = "/",
	    .headers = vanilla_headers,
	    .amz_date = "20150830T123600Z",
	    .region = "us-east-1",
	    .service = "service",
	    .access_key = "AKIDEXAMPLE",
	    .secret_key = SECRET,
	    .double_encode_path = true },
	  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
	  "aws4_request, SignedHeaders=host;x-amz-date, "
	  "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d"
	  "763fbf31" },
	{ "post-vanilla",
	  { .method = "POST",
	    .path = "/",
	    .headers = vanilla_headers,
	    .amz_date = "20150830T123600Z",
	    .region = "us-east-1",
	    .service = "service",
	    .access_key = "AKIDEXAMPLE",
	    .secret_key = SECRET,
	    .double_encode_path = true },
	  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
	  "aws4_request, SignedHeaders=host;x-amz-date, "
	  "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92"
	  "efbe5d6b" },
	{ "iam-listusers",
	  { .method = "GET",
	    .path = "/",
	    .query = "Action=ListUsers&Version=2010-05-08",
	    .headers = iam_headers,
	    .amz_date = "20150830T123600Z",
	    .region = "us-east-1",
	    .service = "iam",
	    .access_key = "AKIDEXAMPLE",
	    .secret_key = SECRET,
	    .double_encode_path = true },
	  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"
	  "aws4_request, SignedHeaders=content-type;host;x-amz-date, "
	  "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924"
	  "a6f2b5d7" },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = sfn_sigv4_authorization(&cases[i].req);
		SFN_CHECK_STR(got, cases[i].want, cases[i].label);
		free(got);
	}
	/* The empty body's hash, which every GET signs. */
	char h[65];
	sfn_sha256_hex("", 0, h);
	SFN_CHECK_STR(h,
		      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991"
		      "b7852b855",
		      "sha256 of empty");
	return sfn_test_done();
}
