"""What the bot says outside the knowledge base's articles: prompts around buttons, feedback replies
and the last-resort texts used if a fixed article is missing (the crisis answer must never fail)."""
from __future__ import annotations

ASK_BACK = "Bạn muốn hỏi điều nào dưới đây? Bấm chọn một mục, hoặc nhắn rõ hơn giúp mình nhé."
ASK_BACK_TOPICLESS = "Mình chưa chắc bạn hỏi về việc gì. Có phải một trong các điều dưới đây không?"
TOPIC_NOT_COVERED = (
    "Mình chưa có câu trả lời soạn sẵn cho câu hỏi này. Bạn có muốn hỏi cán bộ không? "
    "Cán bộ sẽ trả lời bạn ở đây."
)
OFFICER_REVIEW = "Lưu ý: một số chi tiết đang chờ cán bộ xác nhận lại; cán bộ sẽ xác nhận với bạn khi bạn cần."

FEEDBACK_THANKS = "Cảm ơn bạn đã cho mình biết! Bạn cần hỏi thêm điều gì cứ nhắn nhé."
FEEDBACK_SORRY = "Xin lỗi vì câu trả lời chưa đúng ý bạn. Có phải bạn muốn hỏi một trong các điều dưới đây?"
FEEDBACK_SORRY_NO_OPTIONS = "Xin lỗi vì câu trả lời chưa đúng ý bạn. Bạn nhắn lại rõ hơn giúp mình nhé."
FEEDBACK_OFFER_OFFICER = (
    "Xin lỗi, mình chưa trả lời được đúng điều bạn cần. "
    "Bạn có muốn nói chuyện với cán bộ để được hướng dẫn trực tiếp không?"
)

BUTTON_HELPFUL = "Hữu ích"
BUTTON_NOT_HELPFUL = "Chưa đúng ý"
BUTTON_OFFICER = "Gặp cán bộ"

# Used only when the knowledge base lacks the fixed article (a broken deploy must still answer).
CRISIS_FIRST_LINE = (
    "Nếu bạn hoặc ai đó đang gặp nguy hiểm, hãy gọi ngay 113 (Công an) hoặc 115 (Cấp cứu); "
    "112 khi cần cứu nạn."
)
CRISIS_FALLBACK = CRISIS_FIRST_LINE + " Mình đã báo cán bộ để liên hệ với bạn sớm nhất."
HANDOFF_FALLBACK = "Mình đã chuyển cuộc trò chuyện cho cán bộ. Cán bộ sẽ trả lời bạn ngay khi có thể."
CLARIFY_FALLBACK = "Mình chưa hiểu rõ câu hỏi. Có phải bạn muốn hỏi một trong các điều dưới đây?"
OFFER_OFFICER_FALLBACK = "Mình vẫn chưa hiểu ý bạn. Bạn có muốn nói chuyện với cán bộ không?"
WHAT_I_CAN_DO_FALLBACK = (
    "Mình trả lời về lý lịch tư pháp, xóa án tích, vay vốn, học nghề, việc làm, cư trú và căn cước, "
    "trợ giúp pháp lý, bảo trợ xã hội. Bạn cũng có thể gặp cán bộ."
)
