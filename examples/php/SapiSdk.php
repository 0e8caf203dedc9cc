<?php

// The file name the platform's demo includes: loads the yunhuni library and its SapiSdk class.
require_once __DIR__ . '/yunhuni.php';
