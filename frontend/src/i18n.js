// Interface text in Vietnamese (the default) and English. Content comes from the API in the chosen language.
import { state, update } from './state.js'

const TEXT = {
  vi: {
    skip: 'Bỏ qua, đến nội dung chính',
    nav_home: 'Trang chủ', nav_learn: 'Học', nav_progress: 'Tiến độ', nav_admin: 'Cơ quan', nav_account: 'Tài khoản', nav_signin: 'Đăng nhập',
    main_nav: 'Điều hướng chính',
    switch_lang: 'English', switch_lang_name: 'Switch to English',
    offline: 'Bạn đang ngoại tuyến. Những gì bạn đã lưu vẫn học được; tiến độ sẽ được gửi khi có mạng.',
    waiting: (n) => `${n} mục đang chờ đồng bộ`,
    syncing: 'Đang đồng bộ…', synced: 'Đã đồng bộ xong', sync_now: 'Đồng bộ ngay',
    signed_out_sync: 'Phiên đăng nhập đã hết. Hãy đăng nhập lại để gửi tiến độ đang chờ.',
    loading: 'Đang tải…', retry: 'Thử lại', stale: 'Đang xem bản đã lưu trên máy.',
    not_available_offline: 'Nội dung này chưa được lưu trên máy nên không xem được khi ngoại tuyến.',
    hello: (name) => `Xin chào, ${name}`,
    intro_title: 'Mỗi năm học một kỹ năng số mới',
    intro: 'Bài học ngắn 5–10 phút về dịch vụ công trực tuyến, thanh toán điện tử, bảo vệ dữ liệu cá nhân và kỹ năng số trong đời sống. Học cả khi không có mạng.',
    start_learning: 'Bắt đầu học', create_account: 'Tạo tài khoản',
    goal_title: (y) => `Mục tiêu năm ${y}`,
    goal_met: 'Bạn đã đạt mục tiêu năm nay. Tuyệt vời!',
    goal_todo: 'Hoàn thành một bài học mới để đạt mục tiêu năm nay.',
    goal_count: (n, t) => `${n}/${t} kỹ năng mới`,
    required_title: 'Cơ quan yêu cầu', due: (d) => `Hạn ${d}`, overdue: 'Quá hạn',
    continue_title: 'Học tiếp', next_title: 'Gợi ý cho bạn', saved_title: 'Đã lưu để học ngoại tuyến',
    areas_title: 'Chủ đề', all_modules: 'Tất cả bài học',
    minutes: (n) => `${n} phút`, level: { beginner: 'Cơ bản', intermediate: 'Trung bình', advanced: 'Nâng cao' },
    for_civil_servants: 'Dành cho cán bộ, công chức',
    status: { not_started: 'Chưa học', in_progress: 'Đang học', completed: 'Đã hoàn thành' },
    lessons: 'Bài đọc', quiz: 'Bài kiểm tra', start: 'Bắt đầu', cont: 'Học tiếp', take_quiz: 'Làm bài kiểm tra',
    save_offline: 'Lưu để học ngoại tuyến', saved_offline: 'Đã lưu trên máy', remove_offline: 'Bỏ lưu',
    saving: 'Đang lưu…', lesson_n: (i, n) => `Bài ${i}/${n}`, done_next: 'Xong, bài tiếp theo', done_quiz: 'Xong, làm bài kiểm tra',
    previous: 'Bài trước', back_to_module: 'Về trang bài học', lesson_done: 'Đã đọc',
    sign_in_to_save: 'Đăng nhập để lưu tiến độ và được tính kỹ năng mới.',
    quiz_intro: (n, p) => `${n} câu hỏi. Cần đúng ${p}% để đạt.`,
    choose_one: 'Chọn một đáp án', choose_many: 'Chọn tất cả đáp án đúng',
    submit_answers: 'Nộp bài', answer_all: 'Hãy trả lời tất cả các câu hỏi.',
    queued_attempt: 'Đã lưu bài làm trên máy. Bài sẽ được chấm khi có mạng – bạn không cần làm lại.',
    score: (s) => `Điểm: ${s}%`, passed: 'Đạt! Bạn đã hoàn thành bài học này.', failed: 'Chưa đạt. Xem giải thích rồi thử lại nhé.',
    right: 'Đúng', wrong: 'Chưa đúng', correct_answer: 'Đáp án đúng:', key_after_pass: 'Chưa đúng – hãy đọc lại bài học. Đáp án sẽ hiện khi bạn đạt bài kiểm tra.', try_again: 'Làm lại', last_result: 'Kết quả gần nhất',
    cert_title: 'Chứng nhận của tôi', cert_link: 'Xem chứng nhận của bạn',
    cert_intro: 'Mỗi học phần hoàn thành và mỗi năm đạt mục tiêu có một chứng nhận. Ai có đường dẫn đều kiểm tra được chứng nhận là thật.',
    cert_none: 'Bạn chưa có chứng nhận. Hoàn thành một học phần để nhận chứng nhận đầu tiên.',
    cert_kind_module: 'Học phần', cert_kind_year: 'Mục tiêu năm', cert_number: (n) => `Số ${n}`,
    cert_download: 'Tải PDF', cert_share: 'Chia sẻ đường dẫn kiểm tra', cert_view: 'Xem trang kiểm tra',
    cert_downloading: 'Đang tải chứng nhận…', cert_offline: 'Cần có mạng để tải chứng nhận.',
    cert_link_copied: 'Đã chép đường dẫn kiểm tra.', cert_copy_this: (u) => `Hãy chép đường dẫn này: ${u}`,
    cert_share_text: (name) => `Chứng nhận Hocso: ${name}`,
    sync_failed: 'Không gửi được', progress_title: 'Tiến độ của tôi', by_year: 'Kỹ năng mới theo năm', year: 'Năm',
    new_skills: 'Kỹ năng mới', completed_on: (d) => `Hoàn thành ${d}`, modules_title: 'Các bài học',
    email_or_phone: 'Email hoặc số điện thoại', password: 'Mật khẩu', full_name: 'Họ và tên',
    password_hint: 'Ít nhất 8 ký tự. Nên dùng một cụm từ dễ nhớ.',
    sign_in: 'Đăng nhập', sign_up: 'Tạo tài khoản', no_account: 'Chưa có tài khoản?', have_account: 'Đã có tài khoản?',
    activate_title: 'Kích hoạt tài khoản cán bộ', activate_link: 'Cán bộ được cơ quan mời? Kích hoạt tài khoản',
    code: 'Mã kích hoạt từ cơ quan', new_password: 'Mật khẩu mới', activate: 'Kích hoạt',
    sign_out: 'Đăng xuất', export_data: 'Tải dữ liệu của tôi', delete_account: 'Xoá tài khoản',
    delete_confirm: 'Xoá vĩnh viễn tài khoản và tiến độ học của bạn? Không thể hoàn tác.',
    pending_on_signout: (n) => `${n} mục chưa đồng bộ sẽ được gửi khi bạn đăng nhập lại trên máy này.`,
    account_title: 'Tài khoản', agency: 'Cơ quan', manages: 'Quản lý',
    admin_title: 'Thống kê cơ quan', members: 'Cán bộ', goal_rate: 'Đạt mục tiêu năm', required_rate: 'Hoàn thành bài bắt buộc',
    overdue_count: 'Lượt quá hạn', children_title: 'Các đơn vị trực thuộc', by_module_title: 'Theo bài học',
    completed: 'Đã hoàn thành', rate: 'Tỉ lệ', export_csv: 'Tải CSV (Excel)', up: 'Lên cấp trên', no_children: 'Không có đơn vị trực thuộc.',
    not_manager: 'Trang này dành cho quản trị viên cơ quan.', chart_children: 'Biểu đồ tỉ lệ theo đơn vị trực thuộc',
    chart_modules: 'Biểu đồ số người hoàn thành theo bài học', chart_years: 'Biểu đồ kỹ năng mới theo năm', name: 'Tên', module: 'Bài học',
    not_found: 'Không tìm thấy trang này.', go_home: 'Về trang chủ', none: '—',
  },
  en: {
    skip: 'Skip to main content',
    nav_home: 'Home', nav_learn: 'Learn', nav_progress: 'Progress', nav_admin: 'Agency', nav_account: 'Account', nav_signin: 'Sign in',
    main_nav: 'Main navigation',
    switch_lang: 'Tiếng Việt', switch_lang_name: 'Chuyển sang tiếng Việt',
    offline: 'You are offline. Everything you saved still works; your progress is sent when you are back online.',
    waiting: (n) => `${n} waiting to sync`,
    syncing: 'Syncing…', synced: 'All synced', sync_now: 'Sync now',
    signed_out_sync: 'Your sign-in has ended. Sign in again to send the progress that is waiting.',
    loading: 'Loading…', retry: 'Try again', stale: 'Showing the copy saved on this device.',
    not_available_offline: 'This was not saved on this device, so it cannot be opened offline.',
    hello: (name) => `Hello, ${name}`,
    intro_title: 'Learn one new digital skill each year',
    intro: 'Short 5–10 minute lessons on online public services, e-payment, personal data protection and everyday digital skills. Keep learning offline.',
    start_learning: 'Start learning', create_account: 'Create an account',
    goal_title: (y) => `Your goal for ${y}`,
    goal_met: 'You met this year\u2019s goal. Well done!',
    goal_todo: 'Complete one new module to meet this year\u2019s goal.',
    goal_count: (n, t) => `${n}/${t} new skills`,
    required_title: 'Required by your agency', due: (d) => `Due ${d}`, overdue: 'Overdue',
    continue_title: 'Continue', next_title: 'Suggested for you', saved_title: 'Saved for offline',
    areas_title: 'Topics', all_modules: 'All modules',
    minutes: (n) => `${n} min`, level: { beginner: 'Beginner', intermediate: 'Intermediate', advanced: 'Advanced' },
    for_civil_servants: 'For civil servants',
    status: { not_started: 'Not started', in_progress: 'In progress', completed: 'Completed' },
    lessons: 'Lessons', quiz: 'Quiz', start: 'Start', cont: 'Continue', take_quiz: 'Take the quiz',
    save_offline: 'Save for offline', saved_offline: 'Saved on this device', remove_offline: 'Remove',
    saving: 'Saving…', lesson_n: (i, n) => `Lesson ${i} of ${n}`, done_next: 'Done, next lesson', done_quiz: 'Done, take the quiz',
    previous: 'Previous lesson', back_to_module: 'Back to the module', lesson_done: 'Read',
    sign_in_to_save: 'Sign in to save your progress and count your new skill.',
    quiz_intro: (n, p) => `${n} questions. You pass with ${p}% right.`,
    choose_one: 'Choose one answer', choose_many: 'Choose every right answer',
    submit_answers: 'Submit answers', answer_all: 'Please answer every question.',
    queued_attempt: 'Your answers are saved on this device. They will be graded when you are online \u2013 no need to redo the quiz.',
    score: (s) => `Score: ${s}%`, passed: 'Passed! You completed this module.', failed: 'Not passed yet. Read the explanations and try again.',
    right: 'Right', wrong: 'Not right', correct_answer: 'Right answer:', key_after_pass: 'Not yet – re-read the lesson. The right answer shows once you pass the quiz.', try_again: 'Try again', last_result: 'Latest result',
    cert_title: 'My certificates', cert_link: 'See your certificates',
    cert_intro: 'Each module you complete and each year you meet the goal earns a certificate. Anyone with its link can check that it is genuine.',
    cert_none: 'No certificates yet. Complete a module to earn your first.',
    cert_kind_module: 'Module', cert_kind_year: 'Yearly goal', cert_number: (n) => `No. ${n}`,
    cert_download: 'Download PDF', cert_share: 'Share the verification link', cert_view: 'Open the verification page',
    cert_downloading: 'Downloading the certificate…', cert_offline: 'You need a connection to download the certificate.',
    cert_link_copied: 'Verification link copied.', cert_copy_this: (u) => `Copy this link: ${u}`,
    cert_share_text: (name) => `Hocso certificate: ${name}`,
    sync_failed: 'Could not be sent', progress_title: 'My progress', by_year: 'New skills by year', year: 'Year',
    new_skills: 'New skills', completed_on: (d) => `Completed ${d}`, modules_title: 'Modules',
    email_or_phone: 'Email or phone number', password: 'Password', full_name: 'Full name',
    password_hint: 'At least 8 characters. A phrase you can remember works well.',
    sign_in: 'Sign in', sign_up: 'Create account', no_account: 'No account yet?', have_account: 'Already have an account?',
    activate_title: 'Activate a civil servant account', activate_link: 'Invited by your agency? Activate your account',
    code: 'Activation code from your agency', new_password: 'New password', activate: 'Activate',
    sign_out: 'Sign out', export_data: 'Download my data', delete_account: 'Delete my account',
    delete_confirm: 'Delete your account and learning progress for good? This cannot be undone.',
    pending_on_signout: (n) => `${n} items not yet synced will be sent when you sign in again on this device.`,
    account_title: 'Account', agency: 'Agency', manages: 'Manages',
    admin_title: 'Agency statistics', members: 'Civil servants', goal_rate: 'Met yearly goal', required_rate: 'Required modules done',
    overdue_count: 'Overdue', children_title: 'Units below', by_module_title: 'By module',
    completed: 'Completed', rate: 'Rate', export_csv: 'Download CSV (Excel)', up: 'Up one level', no_children: 'No units below this one.',
    not_manager: 'This page is for agency administrators.', chart_children: 'Chart of rates by unit',
    chart_modules: 'Chart of people who completed each module', chart_years: 'Chart of new skills by year', name: 'Name', module: 'Module',
    not_found: 'This page does not exist.', go_home: 'Go to the home page', none: '—',
  },
}

export function t(key, ...args) {
  const value = TEXT[state.lang][key] ?? TEXT.vi[key] ?? key
  return typeof value === 'function' ? value(...args) : value
}

export function setLang(lang) {
  localStorage.setItem('hocso.lang', lang)
  document.documentElement.lang = lang
  update({ lang })
}

export function formatDate(value) {
  if (!value) return ''
  const date = typeof value === 'string' && value.length === 10 ? new Date(`${value}T00:00:00+07:00`) : new Date(value)
  return date.toLocaleDateString(state.lang === 'en' ? 'en-GB' : 'vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', day: 'numeric', month: 'numeric', year: 'numeric' })
}

export const percent = (rate) => (rate == null ? '—' : `${Math.round(rate * 1000) / 10}%`)

/** The calendar year in Asia/Ho_Chi_Minh, as the server counts the yearly goal. */
export const vietnamYear = () => Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric' }).format(new Date()))

/** Today's date (YYYY-MM-DD) in Asia/Ho_Chi_Minh, the zone due dates are set in. */
export const vietnamToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date())
