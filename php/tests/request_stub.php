<?php
// Router for PHP's built-in server, started by client_test.php as a stand-in for the platform:
// appends each request to the file named by YUNHUNI_STUB_LOG as one line
// "METHOD HEX(PATH) HEX(QUERY) HEX(BODY)" and answers the platform's success envelope: a placed
// call's data for the operations that place a call, null (which every operation may answer) for
// the others.
//
//   YUNHUNI_STUB_LOG=/tmp/requests.log php -S 127.0.0.1:PORT request_stub.php

declare(strict_types=1);

$body = (string) file_get_contents('php://input');
$uri = (string) ($_SERVER['REQUEST_URI'] ?? '');
[$path, $query] = explode('?', $uri, 2) + ['', ''];
$method = (string) ($_SERVER['REQUEST_METHOD'] ?? '');
file_put_contents(
    (string) getenv('YUNHUNI_STUB_LOG'),
    $method . ' ' . bin2hex($path) . ' ' . bin2hex($query) . ' ' . bin2hex($body) . "\n",
    FILE_APPEND | LOCK_EX,
);

header('Content-Type: application/json;charset=UTF-8');
if (preg_match('#/v1/account/[^/]+/(call/(duo_callback|notify_call|verify_call|ivr_call)|conf/invite_call/[^/]+)$#', $path) === 1) {
    echo '{"code":"000000","msg":"请求成功","data":{"callId":"0123456789abcdef0123456789abcdef","user_data":null}}';
} else {
    echo '{"code":"000000","msg":"请求成功","data":null}';
}
