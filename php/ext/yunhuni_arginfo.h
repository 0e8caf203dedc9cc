/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: b00a97c3bd3ff3804fa32ffc7cf49b15c78c50b4 */

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_Yunhuni_Ext_version, 0, 0, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_Yunhuni_Ext_client_new, 0, 1, Yunhuni\\Ext\\Client, 0)
	ZEND_ARG_TYPE_INFO(0, credentials, IS_ARRAY, 1)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, settings, IS_ARRAY, 0, "[]")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, log, IS_CALLABLE, 1, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_Yunhuni_Ext_client_info, 0, 1, IS_ARRAY, 0)
	ZEND_ARG_OBJ_INFO(0, client, Yunhuni\\Ext\\Client, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_Yunhuni_Ext_request, 0, 3, IS_ARRAY, 0)
	ZEND_ARG_OBJ_INFO(0, client, Yunhuni\\Ext\\Client, 0)
	ZEND_ARG_TYPE_INFO(0, operation, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, fields, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, jsonFields, IS_ARRAY, 0, "[]")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, timeoutMs, IS_LONG, 1, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_Yunhuni_Ext_parse_event, 0, 1, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, body, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_Yunhuni_Ext_string_to_sign, 0, 6, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, method, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, uri, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, contentType, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, timestamp, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, appId, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, body, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_Yunhuni_Ext_sign, 0, 7, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, method, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, uri, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, contentType, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, timestamp, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, appId, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, body, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, secretKey, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_Yunhuni_Ext_ivr_xml, 0, 1, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, description, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_Yunhuni_Ext_ivr_next, 0, 1, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, query, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_Yunhuni_Ext_code_info, 0, 1, IS_ARRAY, 1)
	ZEND_ARG_TYPE_INFO(0, code, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_Yunhuni_Ext_webhook_receiver_new, 0, 6, Yunhuni\\Ext\\Receiver, 0)
	ZEND_ARG_TYPE_INFO(0, token, IS_STRING, 1)
	ZEND_ARG_TYPE_INFO(0, tokenParam, IS_STRING, 1)
	ZEND_ARG_TYPE_INFO(0, maxBody, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO(0, memory, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO(0, capacity, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO(0, ttlMs, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_Yunhuni_Ext_webhook_check_head, 0, 3, IS_VOID, 0)
	ZEND_ARG_OBJ_INFO(0, receiver, Yunhuni\\Ext\\Receiver, 0)
	ZEND_ARG_TYPE_INFO(0, query, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, contentLength, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_Yunhuni_Ext_webhook_receive, 0, 3, IS_ARRAY, 0)
	ZEND_ARG_OBJ_INFO(0, receiver, Yunhuni\\Ext\\Receiver, 0)
	ZEND_ARG_TYPE_INFO(0, query, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, body, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_Yunhuni_Ext_webhook_release, 0, 2, IS_VOID, 0)
	ZEND_ARG_OBJ_INFO(0, receiver, Yunhuni\\Ext\\Receiver, 0)
	ZEND_ARG_TYPE_INFO(0, key, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_Yunhuni_Ext_webhook_defaults, 0, 0, IS_ARRAY, 0)
ZEND_END_ARG_INFO()


ZEND_FUNCTION(Yunhuni_Ext_version);
ZEND_FUNCTION(Yunhuni_Ext_client_new);
ZEND_FUNCTION(Yunhuni_Ext_client_info);
ZEND_FUNCTION(Yunhuni_Ext_request);
ZEND_FUNCTION(Yunhuni_Ext_parse_event);
ZEND_FUNCTION(Yunhuni_Ext_string_to_sign);
ZEND_FUNCTION(Yunhuni_Ext_sign);
ZEND_FUNCTION(Yunhuni_Ext_ivr_xml);
ZEND_FUNCTION(Yunhuni_Ext_ivr_next);
ZEND_FUNCTION(Yunhuni_Ext_code_info);
ZEND_FUNCTION(Yunhuni_Ext_webhook_receiver_new);
ZEND_FUNCTION(Yunhuni_Ext_webhook_check_head);
ZEND_FUNCTION(Yunhuni_Ext_webhook_receive);
ZEND_FUNCTION(Yunhuni_Ext_webhook_release);
ZEND_FUNCTION(Yunhuni_Ext_webhook_defaults);


static const zend_function_entry ext_functions[] = {
	ZEND_NS_FALIAS("Yunhuni\\Ext", version, Yunhuni_Ext_version, arginfo_Yunhuni_Ext_version)
	ZEND_NS_FALIAS("Yunhuni\\Ext", client_new, Yunhuni_Ext_client_new, arginfo_Yunhuni_Ext_client_new)
	ZEND_NS_FALIAS("Yunhuni\\Ext", client_info, Yunhuni_Ext_client_info, arginfo_Yunhuni_Ext_client_info)
	ZEND_NS_FALIAS("Yunhuni\\Ext", request, Yunhuni_Ext_request, arginfo_Yunhuni_Ext_request)
	ZEND_NS_FALIAS("Yunhuni\\Ext", parse_event, Yunhuni_Ext_parse_event, arginfo_Yunhuni_Ext_parse_event)
	ZEND_NS_FALIAS("Yunhuni\\Ext", string_to_sign, Yunhuni_Ext_string_to_sign, arginfo_Yunhuni_Ext_string_to_sign)
	ZEND_NS_FALIAS("Yunhuni\\Ext", sign, Yunhuni_Ext_sign, arginfo_Yunhuni_Ext_sign)
	ZEND_NS_FALIAS("Yunhuni\\Ext", ivr_xml, Yunhuni_Ext_ivr_xml, arginfo_Yunhuni_Ext_ivr_xml)
	ZEND_NS_FALIAS("Yunhuni\\Ext", ivr_next, Yunhuni_Ext_ivr_next, arginfo_Yunhuni_Ext_ivr_next)
	ZEND_NS_FALIAS("Yunhuni\\Ext", code_info, Yunhuni_Ext_code_info, arginfo_Yunhuni_Ext_code_info)
	ZEND_NS_FALIAS("Yunhuni\\Ext", webhook_receiver_new, Yunhuni_Ext_webhook_receiver_new, arginfo_Yunhuni_Ext_webhook_receiver_new)
	ZEND_NS_FALIAS("Yunhuni\\Ext", webhook_check_head, Yunhuni_Ext_webhook_check_head, arginfo_Yunhuni_Ext_webhook_check_head)
	ZEND_NS_FALIAS("Yunhuni\\Ext", webhook_receive, Yunhuni_Ext_webhook_receive, arginfo_Yunhuni_Ext_webhook_receive)
	ZEND_NS_FALIAS("Yunhuni\\Ext", webhook_release, Yunhuni_Ext_webhook_release, arginfo_Yunhuni_Ext_webhook_release)
	ZEND_NS_FALIAS("Yunhuni\\Ext", webhook_defaults, Yunhuni_Ext_webhook_defaults, arginfo_Yunhuni_Ext_webhook_defaults)
	ZEND_FE_END
};


static const zend_function_entry class_Yunhuni_Ext_Client_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_Yunhuni_Ext_Receiver_methods[] = {
	ZEND_FE_END
};

static void register_yunhuni_symbols(int module_number)
{
	REGISTER_STRING_CONSTANT("Yunhuni\\Ext\\STUB_VERSION", "0.1.0", CONST_PERSISTENT);
}

static zend_class_entry *register_class_Yunhuni_Ext_Client(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Yunhuni\\Ext", "Client", class_Yunhuni_Ext_Client_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;

	return class_entry;
}

static zend_class_entry *register_class_Yunhuni_Ext_Receiver(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Yunhuni\\Ext", "Receiver", class_Yunhuni_Ext_Receiver_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;

	return class_entry;
}
