dnl The PHP extension yunhuni, linking libyunhuni found with pkg-config:
dnl
dnl   phpize && ./configure [--with-yunhuni] && make        libyunhuni where pkg-config finds it
dnl   phpize && ./configure --with-yunhuni=PREFIX && make   PREFIX/lib/pkgconfig/yunhuni.pc first
dnl
dnl PKG_CONFIG_PATH works as usual (for a checkout: ffi-c/generate-pc writes a yunhuni.pc that
dnl points at target/release and include/).

PHP_ARG_WITH([yunhuni],
  [for yunhuni support],
  [AS_HELP_STRING([[--with-yunhuni[=PREFIX]]],
    [Include yunhuni support (libyunhuni from pkg-config; PREFIX/lib/pkgconfig searched first)])],
  [yes])

if test "$PHP_YUNHUNI" != "no"; then
  if test "$PHP_YUNHUNI" != "yes"; then
    PKG_CONFIG_PATH="$PHP_YUNHUNI/lib/pkgconfig:$PHP_YUNHUNI/lib64/pkgconfig:$PHP_YUNHUNI/share/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
    export PKG_CONFIG_PATH
  fi
  AC_PATH_PROG(PKG_CONFIG, pkg-config, no)
  if test "$PKG_CONFIG" = "no"; then
    AC_MSG_ERROR([pkg-config is needed to find libyunhuni (apt install pkg-config)])
  fi
  AC_MSG_CHECKING([for libyunhuni with pkg-config])
  if $PKG_CONFIG --exists yunhuni; then
    YUNHUNI_VERSION=`$PKG_CONFIG --modversion yunhuni`
    YUNHUNI_CFLAGS=`$PKG_CONFIG --cflags yunhuni`
    YUNHUNI_LIBS=`$PKG_CONFIG --libs yunhuni`
    AC_MSG_RESULT([$YUNHUNI_VERSION])
  else
    AC_MSG_RESULT([no])
    AC_MSG_ERROR([libyunhuni not found: pkg-config finds no yunhuni.pc; install the C library (scripts/dist --install) or give --with-yunhuni=PREFIX or PKG_CONFIG_PATH])
  fi
  PHP_EVAL_INCLINE($YUNHUNI_CFLAGS)
  PHP_EVAL_LIBLINE($YUNHUNI_LIBS, YUNHUNI_SHARED_LIBADD)
  PHP_CHECK_LIBRARY(yunhuni, yh_version, [], [
    AC_MSG_ERROR([libyunhuni from pkg-config ($YUNHUNI_LIBS) has no yh_version])
  ], [$YUNHUNI_LIBS])
  PHP_SUBST(YUNHUNI_SHARED_LIBADD)
  PHP_NEW_EXTENSION(yunhuni, yunhuni.c, $ext_shared,, -Wall)
fi
